package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/captions"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/images"
	"cuttle.video/server/instance"
	"cuttle.video/server/metrics"
	"cuttle.video/server/version"
	"cuttle.video/transcoder/pipeline"
)

// PeerTube's instance configuration, for what Cuttle does: each section
// below is true of this server; sections about what it does not do yet
// (plugins, imports, exports, email, federation) say "off" where
// PeerTube's clients need to know, and are left out otherwise.

type signupJSON struct {
	Allowed                   bool `json:"allowed"`
	AllowedForCurrentIP       bool `json:"allowedForCurrentIP"`
	RequiresApproval          bool `json:"requiresApproval"`
	RequiresEmailVerification bool `json:"requiresEmailVerification"`
	MinimumAge                int  `json:"minimumAge"`
}

type enabledJSON struct {
	Enabled bool `json:"enabled"`
}

type fileLimitsJSON struct {
	Size       *maxJSON `json:"size,omitempty"`
	Extensions []string `json:"extensions"`
}

type maxJSON struct {
	Max int64 `json:"max"`
}

// pictureLimits bound the pictures clients send: thumbnails, previews,
// avatars and banners.
var pictureLimits = fileLimitsJSON{Size: &maxJSON{Max: images.MaxFileSize}, Extensions: []string{".png", ".jpg", ".jpeg"}}

// uploadExtensions are the extensions PeerTube's clients offer to
// upload. The upload takes any file ffprobe reads, which covers each of
// them, sounds included (they get an audio-only rendition).
var uploadExtensions = []string{
	".mp4", ".ogv", ".webm", ".mkv", ".mov", ".qt", ".mqv", ".m4v", ".flv", ".f4v", ".wmv", ".avi", ".3gp", ".3gpp",
	".3g2", ".3gpp2", ".nut", ".mts", ".m2ts", ".mpv", ".m2v", ".m1v", ".mpg", ".mpe", ".mpeg", ".vob", ".mxf",
	".mp3", ".wma", ".wav", ".flac", ".aac", ".m4a", ".ac3", ".ogg", ".oga", ".opus",
}

// publicConfig is GET /api/v1/config.
func (s *server) publicConfig(c *gin.Context) {
	st, err := s.Instance.Get(c.Request.Context())
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	quota, daily := s.Accounts.DefaultQuotas()
	off := enabledJSON{}
	c.JSON(http.StatusOK, gin.H{
		"serverVersion": version.Number(),
		"serverCommit":  version.Commit(),
		"instance": gin.H{
			"name": st.Name, "shortDescription": st.ShortDescription,
			// No setting marks the instance as one for sensitive videos,
			// and lists show sensitive videos unless asked not to.
			"isNSFW": false, "defaultNSFWPolicy": "display",
			"customizations": gin.H{"javascript": "", "css": ""},
			"avatars":        []any{}, "banners": []any{},
			// The web interface opens on its home page, the latest videos.
			"defaultClientRoute": "/",
		},
		// No index of instances is followed: federation is not there yet.
		"followings":  gin.H{"instance": gin.H{"autoFollowIndex": gin.H{"indexUrl": ""}}},
		"search":      gin.H{"remoteUri": gin.H{"users": false, "anonymous": false}},
		"plugin":      gin.H{"registered": []any{}},
		"theme":       gin.H{"registered": []any{}},
		"email":       off,
		"contactForm": off,
		"signup": signupJSON{
			Allowed: st.SignupEnabled, AllowedForCurrentIP: st.SignupEnabled, MinimumAge: 16,
		},
		// Every video is transcoded to HLS; the original is served as
		// a web video only until then.
		"transcoding": gin.H{
			"hls": enabledJSON{Enabled: true}, "web_videos": off,
			"enabledResolutions": pipeline.Resolutions(),
		},
		"import": gin.H{
			"videos":                      gin.H{"http": off, "torrent": off},
			"videoChannelSynchronization": off,
			"users":                       off,
		},
		"export":        gin.H{"users": off},
		"autoBlacklist": gin.H{"videos": gin.H{"ofUsers": off}},
		"video": gin.H{
			"image": pictureLimits,
			"file":  fileLimitsJSON{Extensions: uploadExtensions},
		},
		"avatar": gin.H{"file": pictureLimits},
		"videoCaption": gin.H{
			"file": fileLimitsJSON{Size: &maxJSON{Max: captions.MaxFileSize}, Extensions: []string{".vtt", ".srt"}},
		},
		// The quotas new users get.
		"user": gin.H{"videoQuota": quota, "videoQuotaDaily": daily},
		// PeerTube's switch for P2P: players may share segments.
		"tracker": gin.H{"enabled": s.Tracker != nil},
		// PeerTube's trending pages: most-viewed is sort=-trending over
		// intervalDays, hot is sort=-hot, most-liked is sort=-likes.
		"trending": gin.H{"videos": gin.H{
			"intervalDays": s.Videos.TrendingDays(),
			"algorithms":   gin.H{"enabled": []string{"hot", "most-viewed", "most-liked"}, "default": "most-viewed"},
		}},
		"homepage": off,
		// Players report their playback to POST /api/v1/metrics/playback.
		"openTelemetry": gin.H{"metrics": gin.H{
			"enabled": s.Playback != nil, "playbackStatsInterval": metrics.ReportInterval.Milliseconds(),
		}},
	})
}

// aboutConfig is GET /api/v1/config/about: what admins say of the
// instance. The texts PeerTube has and Cuttle's settings do not yet
// (terms, code of conduct, ...) are empty, as PeerTube sends them unset.
func (s *server) aboutConfig(c *gin.Context) {
	st, err := s.Instance.Get(c.Request.Context())
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"instance": gin.H{
		"name": st.Name, "shortDescription": st.ShortDescription, "description": st.Description,
		"terms": "", "codeOfConduct": "", "hardwareInformation": "", "creationReason": "",
		"moderationInformation": "", "administrator": "", "maintenanceLifetime": "", "businessModel": "",
		"languages": []string{}, "categories": []int{}, "avatars": []any{}, "banners": []any{},
	}})
}

type customConfigJSON struct {
	Instance struct {
		Name             *string `json:"name"`
		ShortDescription *string `json:"shortDescription"`
		Description      *string `json:"description"`
	} `json:"instance"`
	Signup struct {
		Enabled *bool `json:"enabled"`
	} `json:"signup"`
}

// customConfig is GET /api/v1/config/custom, for admins.
func (s *server) customConfig(c *gin.Context) {
	st, err := s.Instance.Get(c.Request.Context())
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	var out customConfigJSON
	out.Instance.Name, out.Instance.ShortDescription, out.Instance.Description = &st.Name, &st.ShortDescription, &st.Description
	out.Signup.Enabled = &st.SignupEnabled
	c.JSON(http.StatusOK, out)
}

// updateCustomConfig is PUT /api/v1/config/custom; fields left out keep
// their value.
func (s *server) updateCustomConfig(c *gin.Context) {
	var in customConfigJSON
	if err := httpserve.DecodeJSON(c, &in); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Instance.Set(c.Request.Context(), instance.Update{
		Name: in.Instance.Name, ShortDescription: in.Instance.ShortDescription, Description: in.Instance.Description,
		SignupEnabled: in.Signup.Enabled,
	}); err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.customConfig(c)
}
