package api_test

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

type videoList struct {
	Total int `json:"total"`
	Data  []struct {
		UUID    string `json:"uuid"`
		Name    string `json:"name"`
		Privacy struct {
			ID int `json:"id"`
		} `json:"privacy"`
	} `json:"data"`
}

func TestVideoVisibility(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		// The videos are never published: their transcoding fails.
		s := servertest.Start(t, b, func(c *config.Config) { c.Transcoding.MaxAttempts = 1 })
		owner := s.NewUser(t, 2, -1)
		other := s.NewUser(t, 2, -1)
		mod := s.NewUser(t, 1, -1)
		anon := s.Anonymous(t)
		clip := servertest.CorruptClip(t, servertest.Clip(t))
		ids := map[int]string{}
		for privacy := 1; privacy <= 4; privacy++ {
			ids[privacy] = owner.UploadVideo(clip, "Privacy "+strconv.Itoa(privacy), privacy).Video.UUID
		}
		for _, id := range ids {
			servertest.WaitState(t, owner, id, 3*time.Minute, 7)
		}
		// Who gets what from GET /videos/{id}: an unpublished video is its
		// owner's and the moderators' only, whatever its privacy; others
		// are told it does not exist.
		want := map[int]map[string]int{
			1: {"anon": 404, "other": 404, "owner": 200, "mod": 200},
			2: {"anon": 404, "other": 404, "owner": 200, "mod": 200},
			3: {"anon": 404, "other": 404, "owner": 200, "mod": 200},
			4: {"anon": 404, "other": 404, "owner": 200, "mod": 200},
		}
		clients := map[string]*servertest.Client{"anon": anon, "other": other, "owner": owner, "mod": mod}
		for privacy, cells := range want {
			for who, status := range cells {
				res := clients[who].Do("GET", "/api/v1/videos/"+ids[privacy], nil)
				if res.StatusCode != status {
					t.Errorf("privacy %d, %s: status %d, want %d", privacy, who, res.StatusCode, status)
				}
			}
		}

		// Nothing is published: public lists are empty.
		var l videoList
		anon.Do("GET", "/api/v1/videos", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 0 || len(l.Data) != 0 {
			t.Fatalf("anonymous list = %+v, want empty", l)
		}
		// Moderators may include unpublished videos: public and internal
		// ones, never unlisted or private ones.
		mod.Do("GET", "/api/v1/videos?include=1&sort=name", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 2 || l.Data[0].Privacy.ID != 1 || l.Data[1].Privacy.ID != 4 {
			t.Fatalf("moderator list = %+v, want the public and the internal video", l)
		}
		other.Do("GET", "/api/v1/videos?include=1", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 0 {
			t.Fatalf("a plain user used include to list %d unpublished videos", l.Total)
		}
		// The owner sees all four in their own list.
		owner.Do("GET", "/api/v1/users/me/videos?sort=-name&count=3", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 4 || len(l.Data) != 3 || l.Data[0].Name != "Privacy 4" {
			t.Fatalf("owner list = %+v", l)
		}
		owner.Do("GET", "/api/v1/users/me/videos?sort=-name&start=3", nil).Expect(http.StatusOK).JSON(&l)
		if len(l.Data) != 1 || l.Data[0].Name != "Privacy 1" {
			t.Fatalf("second page = %+v", l)
		}

		for _, q := range []string{"count=101", "count=-1", "start=-5", "start=x", "sort=password_hash", "include=x"} {
			p := anon.Do("GET", "/api/v1/videos?"+q, nil).Problem(http.StatusBadRequest)
			if len(p.InvalidParams) == 0 {
				t.Errorf("?%s: no invalid-params in %+v", q, p)
			}
		}
		anon.Do("GET", "/api/v1/videos/not-a-video", nil).Problem(http.StatusNotFound)
		anon.Do("GET", "/api/v1/videos/999999", nil).Problem(http.StatusNotFound)
		anon.Do("GET", "/api/v1/videos/../../etc/passwd", nil).Problem(http.StatusNotFound)
	})
}

func TestVideoUpdateAndDelete(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		other := s.NewUser(t, 2, -1)
		clip := servertest.Clip(t)
		up := owner.PublishVideo(clip, "Before", 1)
		path := "/api/v1/videos/" + up.Video.UUID

		owner.Do("PUT", path, map[string]any{
			"name": "After", "description": "New words", "tags": []string{"one", "two", "three"}, "privacy": 2, "nsfw": true,
		}).Expect(http.StatusNoContent)
		var v videoDetails
		owner.Do("GET", path, nil).Expect(http.StatusOK).JSON(&v)
		if v.Name != "After" || v.Description != "New words" || len(v.Tags) != 3 || v.Privacy.ID != 2 {
			t.Fatalf("after update: %+v", v)
		}
		// A form works too, as PeerTube's web client sends one.
		owner.Multipart(path, map[string][]string{"name": {"From a form"}, "tags[]": {"solo"}}, "", "", nil)
		owner.Raw("PUT", path, stringsReader("name=Urlencoded+name"), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}).
			Expect(http.StatusNoContent)
		owner.Do("GET", path, nil).Expect(http.StatusOK).JSON(&v)
		if v.Name != "Urlencoded name" {
			t.Fatalf("after form update: %+v", v)
		}

		p := owner.Do("PUT", path, map[string]any{"name": "ab", "tags": []string{"x"}}).Problem(http.StatusBadRequest)
		if p.InvalidParams["name"] == "" || p.InvalidParams["tags"] == "" {
			t.Fatalf("invalid update: %+v", p)
		}
		owner.Raw("PUT", path, stringsReader(`{"name": "oops"`), http.Header{"Content-Type": {"application/json"}}).Problem(http.StatusBadRequest)
		owner.Raw("PUT", path, stringsReader(`{"name": 42}`), http.Header{"Content-Type": {"application/json"}}).Problem(http.StatusBadRequest)
		other.Do("PUT", path, map[string]any{"name": "Hijacked"}).Problem(http.StatusForbidden)
		s.Anonymous(t).Do("PUT", path, map[string]any{"name": "Hijacked"}).Problem(http.StatusUnauthorized)
		owner.Do("GET", path, nil).Expect(http.StatusOK).JSON(&v)
		if v.Name != "Urlencoded name" {
			t.Fatalf("a refused update changed the video: %+v", v)
		}

		other.Do("DELETE", path, nil).Problem(http.StatusForbidden)
		original := s.OriginalFile(up.Video.UUID, ".mp4")
		if _, err := os.Stat(original); err != nil {
			t.Fatalf("original missing before delete: %v", err)
		}
		owner.Do("DELETE", path, nil).Expect(http.StatusNoContent)
		owner.Do("GET", path, nil).Problem(http.StatusNotFound)
		if _, err := os.Stat(original); !os.IsNotExist(err) {
			t.Fatalf("the original survived its video: %v", err)
		}
		var quota struct {
			Used int64 `json:"videoQuotaUsed"`
		}
		owner.Do("GET", "/api/v1/users/me/video-quota-used", nil).Expect(http.StatusOK).JSON(&quota)
		if quota.Used != 0 {
			t.Fatalf("quota used after delete = %d", quota.Used)
		}
		// A moderator may delete anyone's video.
		up = owner.UploadVideo(clip, "Moderated", 1)
		s.NewUser(t, 1, -1).Do("DELETE", "/api/v1/videos/"+up.Video.ShortUUID, nil).Expect(http.StatusNoContent)
	})
}

func TestProblemDocuments(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	anon := s.Anonymous(t)
	anon.Do("GET", "/api/v1/no-such-thing", nil).Problem(http.StatusNotFound)
	anon.Do("PATCH", "/api/v1/videos", nil).Problem(http.StatusMethodNotAllowed)
	var labels map[string]string
	anon.Do("GET", "/api/v1/videos/privacies", nil).Expect(http.StatusOK).JSON(&labels)
	if labels["1"] != "Public" || labels["5"] != "Password protected" {
		t.Fatalf("privacies = %v", labels)
	}
	var health map[string]string
	anon.Do("GET", "/healthz", nil).Expect(http.StatusOK).JSON(&health)
	if health["status"] != "ok" {
		t.Fatalf("healthz = %v", health)
	}
}

// PeerTube's routes this server lacks say so, rather than reading their
// path as a video or user id.
func TestUnimplementedRoutesSaySo(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	root := s.Root(t)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/videos/imports"}, {"POST", "/api/v1/videos/imports"}, {"GET", "/api/v1/videos/live"},
		{"GET", "/api/v1/videos/ownership"}, {"GET", "/api/v1/videos/blacklist"}, {"GET", "/api/v1/users/registrations"},
	} {
		p := root.Do(r.method, r.path, nil).Problem(http.StatusNotFound)
		if !strings.Contains(p.Detail, "does not implement") {
			t.Errorf("%s %s: %q", r.method, r.path, p.Detail)
		}
	}
	// The rest of PeerTube's routes too, wherever no route serves them;
	// paths PeerTube does not have are no route at all.
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/video-playlists"}, {"POST", "/api/v1/video-playlists"}, {"GET", "/api/v1/video-playlists/12/videos"},
		{"GET", "/api/v1/videos/12/source"}, {"POST", "/api/v1/abuses"}, {"HEAD", "/api/v1/server/logs"},
		{"GET", "/api/v1/users/me/history/videos"},
	} {
		res := root.Do(r.method, r.path, nil).Expect(http.StatusNotFound)
		if r.method == "HEAD" {
			continue
		}
		if p := res.Problem(http.StatusNotFound); !strings.Contains(p.Detail, "does not implement") {
			t.Errorf("%s %s: %q", r.method, r.path, p.Detail)
		}
	}
	for _, path := range []string{"/api/v1/no-such-thing", "/api/v1/video-playlists/12/videos/3/extra", "/api/v2/videos"} {
		if p := root.Do("GET", path, nil).Problem(http.StatusNotFound); strings.Contains(p.Detail, "does not implement") {
			t.Errorf("GET %s: %q", path, p.Detail)
		}
	}
	var langs map[string]string
	s.Anonymous(t).Do("GET", "/api/v1/videos/languages", nil).Expect(http.StatusOK).JSON(&langs)
	if langs["en"] != "English" || langs["fr"] != "French" {
		t.Fatalf("languages: %v", langs)
	}
}
