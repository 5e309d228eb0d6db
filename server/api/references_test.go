package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

// A route that takes a video reference, with a body it accepts.
type videoRoute struct {
	method, path, body string
}

func (r videoRoute) at(ref string) string { return strings.ReplaceAll(r.path, "{id}", ref) }

// videoRoutes are every API route that takes a video reference.
var videoRoutes = []videoRoute{
	{"GET", "/api/v1/videos/{id}", ""},
	{"GET", "/api/v1/videos/{id}/description", ""},
	{"GET", "/api/v1/videos/{id}/captions", ""},
	{"GET", "/api/v1/videos/{id}/chapters", ""},
	{"GET", "/api/v1/videos/{id}/chapters.vtt", ""},
	{"GET", "/api/v1/videos/{id}/storyboards", ""},
	{"GET", "/api/v1/videos/{id}/comment-threads", ""},
	{"GET", "/api/v1/videos/{id}/comment-threads/1", ""},
	{"POST", "/api/v1/videos/{id}/comment-threads", `{"text":"hello"}`},
	{"POST", "/api/v1/videos/{id}/comments/1", `{"text":"hello"}`},
	{"POST", "/api/v1/videos/{id}/token", ""},
	{"POST", "/api/v1/videos/{id}/views", `{"currentTime":1}`},
	{"PUT", "/api/v1/videos/{id}/rate", `{"rating":"like"}`},
	{"GET", "/api/v1/users/me/videos/{id}/rating", ""},
	{"PUT", "/api/v1/videos/{id}/chapters", `{"chapters":[]}`},
	{"GET", "/api/v1/videos/{id}/passwords", ""},
	{"POST", "/api/v1/videos/{id}/passwords", `{"password":"another one"}`},
	{"PUT", "/api/v1/videos/{id}", `{"name":"Hijacked"}`},
	{"DELETE", "/api/v1/videos/{id}", ""},
}

// pageRoutes are the pages that take a video reference.
var pageRoutes = []string{"/w/{id}", "/videos/watch/{id}", "/videos/embed/{id}"}

func send(c *servertest.Client, r videoRoute, ref string) *servertest.Response {
	if r.body == "" {
		return c.Raw(r.method, r.at(ref), nil, nil)
	}
	return c.Raw(r.method, r.at(ref), strings.NewReader(r.body), http.Header{"Content-Type": {"application/json"}})
}

// Which video a viewer may reach by which reference. Numeric ids are
// sequential: anyone can walk them, so for viewers who are not the owner
// or a moderator they reach only what the viewer could find in a list.
// Everything else needs the uuid or short uuid, and what a viewer may
// not reach answers exactly as a video that does not exist, on every
// route that takes a reference.
func TestVideoReferences(t *testing.T) {
	servertest.EachSetup(t, func(t *testing.T, start func(...func(*config.Config)) *servertest.Server) {
		s := start(servertest.FastTranscoding, func(c *config.Config) { c.Transcoding.MaxAttempts = 1 })
		owner := s.NewUser(t, 2, -1)
		viewers := map[string]*servertest.Client{"anonymous": s.Anonymous(t), "another user": s.NewUser(t, 2, -1)}
		privileged := map[string]*servertest.Client{"owner": owner, "moderator": s.NewUser(t, 1, -1), "admin": s.Root(t)}

		clip := servertest.Clip(t)
		type video struct {
			name    string
			privacy int
			file    string
			state   int
			up      servertest.UploadedVideo
		}
		vs := []*video{
			{name: "public", privacy: 1, file: clip, state: 1},
			{name: "unlisted", privacy: 2, file: clip, state: 1},
			{name: "private", privacy: 3, file: clip, state: 1},
			{name: "internal", privacy: 4, file: clip, state: 1},
			{name: "password", privacy: 5, file: clip, state: 1},
			{name: "public, transcoding failed", privacy: 1, file: servertest.CorruptClip(t, clip), state: 7},
		}
		for _, v := range vs {
			fields := map[string][]string{
				"name": {"Secret " + v.name}, "channelId": {strconv.FormatInt(owner.Channel(), 10)},
				"privacy": {strconv.Itoa(v.privacy)},
			}
			if v.privacy == 5 {
				fields["videoPasswords[]"] = []string{"let me in"}
			}
			owner.Upload(v.file, fields).Expect(http.StatusOK).JSON(&v.up)
		}
		for _, v := range vs {
			var got struct {
				State struct{ ID int } `json:"state"`
			}
			if err := json.Unmarshal(servertest.WaitState(t, owner, v.up.Video.UUID, 3*time.Minute, 1, 7), &got); err != nil {
				t.Fatal(err)
			}
			if got.State.ID != v.state {
				t.Fatalf("%s video: state %d, want %d", v.name, got.State.ID, v.state)
			}
		}

		// What each viewer gets by each kind of reference: "ok", "missing"
		// or "password" (PeerTube's video_requires_password).
		type refs struct{ id, uuid string }
		want := map[string]map[string]refs{
			"anonymous": {
				"public": {"ok", "ok"}, "unlisted": {"missing", "ok"}, "private": {"missing", "missing"},
				"internal": {"missing", "missing"}, "password": {"missing", "password"},
				"public, transcoding failed": {"missing", "missing"},
			},
			"another user": {
				"public": {"ok", "ok"}, "unlisted": {"missing", "ok"}, "private": {"missing", "missing"},
				"internal": {"ok", "ok"}, "password": {"missing", "password"},
				"public, transcoding failed": {"missing", "missing"},
			},
		}
		const missingID, missingUUID = "999999", "00000000-0000-4000-8000-000000000000"
		missingShort := "1111111111111111111111"
		for who, c := range viewers {
			// The answers for a video that does not exist, route by route.
			missing := map[string]*servertest.Response{}
			for _, r := range videoRoutes {
				for _, ref := range []string{missingID, missingUUID, missingShort} {
					missing[r.method+r.at(ref)] = send(c, r, ref)
				}
			}
			sameAsMissing := func(v *video, r videoRoute, ref, missingRef string) {
				t.Helper()
				got, ref0 := send(c, r, ref), missing[r.method+r.at(missingRef)]
				if got.StatusCode != ref0.StatusCode || !bytes.Equal(got.Body, ref0.Body) {
					t.Errorf("%s, %s video, %s %s: %d %s; a missing video answers %d %s",
						who, v.name, r.method, r.at(ref), got.StatusCode, got.Body, ref0.StatusCode, ref0.Body)
				}
			}
			for _, v := range vs {
				w := want[who][v.name]
				for _, ref := range []struct{ ref, missing, want string }{
					{strconv.FormatInt(v.up.Video.ID, 10), missingID, w.id},
					{v.up.Video.UUID, missingUUID, w.uuid},
					{v.up.Video.ShortUUID, missingShort, w.uuid},
				} {
					switch ref.want {
					case "ok":
						c.Do("GET", "/api/v1/videos/"+ref.ref, nil).Expect(http.StatusOK)
					case "password":
						if p := c.Do("GET", "/api/v1/videos/"+ref.ref, nil).Problem(http.StatusForbidden); p.Code != "video_requires_password" {
							t.Errorf("%s, %s video by %s: %+v, want video_requires_password", who, v.name, ref.ref, p)
						}
					case "missing":
						for _, r := range videoRoutes {
							sameAsMissing(v, r, ref.ref, ref.missing)
						}
						for _, p := range pageRoutes {
							p = strings.ReplaceAll(p, "{id}", ref.ref)
							res := c.Raw("GET", p, nil, nil)
							if res.StatusCode != http.StatusNotFound || bytes.Contains(res.Body, []byte("Secret")) {
								t.Errorf("%s, %s video, page %s: %d, want 404 without the video", who, v.name, p, res.StatusCode)
							}
						}
					}
				}
			}
		}

		// Owners, moderators and admins keep every reference.
		for who, c := range privileged {
			for _, v := range vs {
				for _, ref := range []string{strconv.FormatInt(v.up.Video.ID, 10), v.up.Video.UUID, v.up.Video.ShortUUID} {
					if res := c.Do("GET", "/api/v1/videos/"+ref, nil); res.StatusCode != http.StatusOK {
						t.Errorf("%s, %s video by %s: %d %s", who, v.name, ref, res.StatusCode, res.Body)
					}
				}
			}
		}
	})
}
