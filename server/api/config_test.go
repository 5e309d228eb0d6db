package api_test

import (
	"net/http"
	"testing"

	"cuttle.video/server/servertest"
	"cuttle.video/server/version"
)

// TestPublicConfig checks GET /api/v1/config against PeerTube's
// ServerConfig and against what the server does.
func TestPublicConfig(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	anon := s.Anonymous(t)
	var cfg map[string]any
	anon.Do("GET", "/api/v1/config", nil).Expect(http.StatusOK).JSON(&cfg)
	checkShape(t, "config", cfg, map[string]string{
		"serverVersion": "string", "serverCommit": "string", "instance": "object", "search": "object", "plugin": "object",
		"theme": "object", "email": "object", "contactForm": "object", "signup": "object", "transcoding": "object",
		"import": "object", "export": "object", "autoBlacklist": "object", "video": "object", "videoCaption": "object", "avatar": "object",
		"user": "object", "tracker": "object", "trending": "object", "homepage": "object", "openTelemetry": "object",
		"followings": "object",
	})
	if cfg["serverVersion"] != version.Number() {
		t.Errorf("serverVersion = %v, want %s", cfg["serverVersion"], version.Number())
	}
	checkShape(t, "config.instance", cfg["instance"].(map[string]any), map[string]string{
		"name": "string", "shortDescription": "string", "isNSFW": "boolean", "defaultNSFWPolicy": "string",
		"customizations": "object", "avatars": "array", "banners": "array", "defaultClientRoute": "string",
	})
	checkShape(t, "config.signup", cfg["signup"].(map[string]any), map[string]string{
		"allowed": "boolean", "allowedForCurrentIP": "boolean", "requiresApproval": "boolean",
		"requiresEmailVerification": "boolean", "minimumAge": "integer",
	})
	tr := cfg["transcoding"].(map[string]any)
	if tr["hls"].(map[string]any)["enabled"] != true || tr["web_videos"].(map[string]any)["enabled"] != false {
		t.Errorf("transcoding = %v", tr)
	}
	res := tr["enabledResolutions"].([]any)
	if len(res) != 6 || res[0] != 144.0 || res[5] != 1080.0 {
		t.Errorf("enabledResolutions = %v", res)
	}
	user := cfg["user"].(map[string]any)
	checkShape(t, "config.user", user, map[string]string{"videoQuota": "integer", "videoQuotaDaily": "integer"})
	if user["videoQuota"] != float64(s.Config.Users.DefaultVideoQuota) || user["videoQuotaDaily"] != -1.0 {
		t.Errorf("user = %v", user)
	}
	video := cfg["video"].(map[string]any)
	img := video["image"].(map[string]any)
	checkShape(t, "config.video.image.size", img["size"].(map[string]any), map[string]string{"max": "integer"})
	caption := cfg["videoCaption"].(map[string]any)["file"].(map[string]any)
	if caption["size"].(map[string]any)["max"] != float64(10<<20) || len(caption["extensions"].([]any)) != 2 {
		t.Errorf("videoCaption = %v", caption)
	}
	if len(video["file"].(map[string]any)["extensions"].([]any)) == 0 {
		t.Errorf("no upload extensions: %v", video)
	}
	if cfg["tracker"].(map[string]any)["enabled"] != s.Config.P2P.Enabled {
		t.Errorf("tracker = %v, P2P %v", cfg["tracker"], s.Config.P2P.Enabled)
	}
	otel := cfg["openTelemetry"].(map[string]any)["metrics"].(map[string]any)
	if otel["enabled"] != true || otel["playbackStatsInterval"] != 15000.0 {
		t.Errorf("openTelemetry = %v", otel)
	}
}

// TestAboutConfig shows what admins set of the instance, and empty
// texts for what they cannot set yet.
func TestAboutConfig(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	s.Root(t).Do("PUT", "/api/v1/config/custom", map[string]any{"instance": map[string]any{
		"name": "Pottery Hall", "shortDescription": "Clay", "description": "Videos of **wheels**",
	}}).Expect(http.StatusOK)
	var about struct {
		Instance map[string]any `json:"instance"`
	}
	s.Anonymous(t).Do("GET", "/api/v1/config/about", nil).Expect(http.StatusOK).JSON(&about)
	texts := []string{"terms", "codeOfConduct", "hardwareInformation", "creationReason", "moderationInformation",
		"administrator", "maintenanceLifetime", "businessModel"}
	shape := map[string]string{"name": "string", "shortDescription": "string", "description": "string",
		"languages": "array", "categories": "array", "avatars": "array", "banners": "array"}
	for _, k := range texts {
		shape[k] = "string"
	}
	checkShape(t, "about", about.Instance, shape)
	if about.Instance["name"] != "Pottery Hall" || about.Instance["shortDescription"] != "Clay" ||
		about.Instance["description"] != "Videos of **wheels**" || about.Instance["terms"] != "" {
		t.Errorf("about = %v", about.Instance)
	}
}
