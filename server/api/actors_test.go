package api_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/servertest"
)

// checkShape compares the JSON object got with PeerTube's OpenAPI types:
// want maps each property to "integer", "string", "date-time", "boolean",
// "array", "object" or "null", or several of them joined by "|". The
// object must have exactly these properties.
func checkShape(t *testing.T, what string, got map[string]any, want map[string]string) {
	t.Helper()
	for k, types := range want {
		v, ok := got[k]
		if !ok {
			t.Errorf("%s: no %q", what, k)
			continue
		}
		if !strings.Contains("|"+types+"|", "|"+jsonType(v)+"|") {
			t.Errorf("%s: %q = %#v, want %s", what, k, v, types)
		}
	}
	var extra []string
	for k := range got {
		if _, ok := want[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("%s: properties PeerTube does not have: %v", what, extra)
	}
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case string:
		if _, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return "date-time"
		}
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

var (
	actorSummaryShape = map[string]string{
		"id": "integer", "name": "string", "displayName": "string", "url": "string", "host": "string", "avatars": "array",
	}
	accountShape = map[string]string{
		"id": "integer", "name": "string", "displayName": "string", "url": "string", "host": "string", "avatars": "array",
		"followersCount": "integer", "followingCount": "integer", "createdAt": "date-time", "updatedAt": "date-time",
		"userId": "integer", "description": "string|null",
	}
	channelShape = map[string]string{
		"id": "integer", "name": "string", "displayName": "string", "url": "string", "host": "string", "avatars": "array",
		"followersCount": "integer", "followingCount": "integer", "createdAt": "date-time", "updatedAt": "date-time",
		"description": "string|null", "support": "string|null", "isLocal": "boolean", "banners": "array", "ownerAccount": "object",
	}
)

// TestActorShapes checks accounts and channels against PeerTube's
// Account, VideoChannel and their summaries, wherever they appear.
func TestActorShapes(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		owner := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		host := strings.TrimPrefix(s.URL, "http://")

		var acc map[string]any
		anon.Do("GET", "/api/v1/accounts/"+owner.Username, nil).Expect(http.StatusOK).JSON(&acc)
		checkShape(t, "account", acc, accountShape)
		if acc["description"] != nil || acc["followersCount"] != 0.0 || acc["host"] != host || acc["name"] != owner.Username {
			t.Errorf("account = %v", acc)
		}

		name := servertest.NewName("shapes")
		owner.Do("POST", "/api/v1/video-channels", map[string]any{"name": name, "displayName": "Shapes"}).Expect(http.StatusOK)
		var ch map[string]any
		anon.Do("GET", "/api/v1/video-channels/"+name, nil).Expect(http.StatusOK).JSON(&ch)
		checkShape(t, "channel", ch, channelShape)
		checkShape(t, "channel's owner", ch["ownerAccount"].(map[string]any), accountShape)
		if ch["description"] != nil || ch["support"] != nil || ch["isLocal"] != true {
			t.Errorf("channel = %v", ch)
		}

		// Setting a description shows it and moves updatedAt on.
		created := ch["updatedAt"].(string)
		time.Sleep(10 * time.Millisecond)
		owner.Do("PUT", "/api/v1/video-channels/"+name, map[string]any{"description": "Circles and squares", "support": "Buy a square"}).
			Expect(http.StatusNoContent)
		anon.Do("GET", "/api/v1/video-channels/"+name, nil).Expect(http.StatusOK).JSON(&ch)
		if ch["description"] != "Circles and squares" || ch["support"] != "Buy a square" || ch["updatedAt"] == created {
			t.Errorf("updated channel = %v", ch)
		}
		owner.Do("PUT", "/api/v1/users/me", map[string]any{"description": "I draw"}).Expect(http.StatusNoContent)
		anon.Do("GET", "/api/v1/accounts/"+owner.Username, nil).Expect(http.StatusOK).JSON(&acc)
		if acc["description"] != "I draw" || acc["updatedAt"] == acc["createdAt"] {
			t.Errorf("updated account = %v", acc)
		}

		var lists struct {
			Data []map[string]any `json:"data"`
		}
		anon.Do("GET", "/api/v1/video-channels", nil).Expect(http.StatusOK).JSON(&lists)
		for _, c := range lists.Data {
			checkShape(t, "listed channel", c, channelShape)
		}
		var me struct {
			Account       map[string]any   `json:"account"`
			VideoChannels []map[string]any `json:"videoChannels"`
		}
		owner.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
		checkShape(t, "my account", me.Account, accountShape)
		for _, c := range me.VideoChannels {
			checkShape(t, "my channel", c, channelShape)
		}

		// Videos name their account and channel by summaries; a video's
		// details carry them whole.
		up := owner.UploadVideo(servertest.Clip(t), "Shapes", 1)
		var v map[string]any
		owner.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusOK).JSON(&v)
		checkShape(t, "video's account", v["account"].(map[string]any), accountShape)
		checkShape(t, "video's channel", v["channel"].(map[string]any), channelShape)
		owner.Do("GET", "/api/v1/users/me/videos", nil).Expect(http.StatusOK).JSON(&lists)
		if len(lists.Data) != 1 {
			t.Fatalf("my videos: %v", lists.Data)
		}
		checkShape(t, "listed video's account", lists.Data[0]["account"].(map[string]any), actorSummaryShape)
		checkShape(t, "listed video's channel", lists.Data[0]["channel"].(map[string]any), actorSummaryShape)
	})
}

// TestSearchChannels searches channels by words in their name or display
// name, and by handles, as PeerTube's apps do.
func TestSearchChannels(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		owner := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		host := strings.TrimPrefix(s.URL, "http://")
		tag := servertest.NewName("z")
		names := []string{tag + "_pottery", tag + "_knitting", tag + "_misc"}
		owner.Do("POST", "/api/v1/video-channels", map[string]any{"name": names[0], "displayName": "Wheel Pottery"}).Expect(http.StatusOK)
		owner.Do("POST", "/api/v1/video-channels", map[string]any{"name": names[1], "displayName": "Knitting Circle"}).Expect(http.StatusOK)
		owner.Do("POST", "/api/v1/video-channels", map[string]any{"name": names[2], "displayName": "100% pottery"}).Expect(http.StatusOK)

		search := func(query string) []string {
			t.Helper()
			var l struct {
				Total int              `json:"total"`
				Data  []map[string]any `json:"data"`
			}
			anon.Do("GET", "/api/v1/search/video-channels?"+query, nil).Expect(http.StatusOK).JSON(&l)
			var got []string
			for _, c := range l.Data {
				checkShape(t, "found channel", c, channelShape)
				got = append(got, c["name"].(string))
			}
			if l.Total < len(got) {
				t.Errorf("%s: total %d for %d channels", query, l.Total, len(got))
			}
			return got
		}
		for query, want := range map[string][]string{
			// Every word, in the name or the display name, any case.
			"search=POTTERY+" + tag:                                     {names[2], names[0]},
			"search=wheel+pottery&sort=name":                            {names[0]},
			"search=circle+" + tag:                                      {names[1]},
			"search=100%25+" + tag:                                      {names[2]},
			"search=" + tag + "&sort=name":                              {names[1], names[2], names[0]},
			"search=" + tag + "&sort=-match&start=1&count=1":            {names[1]},
			"search=" + tag + "&host=" + host:                           {names[2], names[1], names[0]},
			"search=" + tag + "&host=elsewhere.example":                 nil,
			"handles=" + names[1] + "@" + host + "&handles=" + names[0]: {names[1], names[0]},
			"handles=" + names[1] + "@elsewhere.example":                nil,
			"search=nothing-like-this-" + tag:                           nil,
		} {
			if got := search(query); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s: %v, want %v", query, got, want)
			}
		}
		p := anon.Do("GET", "/api/v1/search/video-channels", nil).Problem(http.StatusBadRequest)
		if p.InvalidParams["search"] == "" {
			t.Errorf("no search: %+v", p)
		}
		anon.Do("GET", "/api/v1/search/video-channels?search=x&sort=views", nil).Problem(http.StatusBadRequest)
	})
}
