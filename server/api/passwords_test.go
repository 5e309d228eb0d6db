package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"cuttle.video/server/servertest"
)

// withPassword sends a request with PeerTube's video password header.
func withPassword(c *servertest.Client, method, path, password string) *servertest.Response {
	h := http.Header{}
	if password != "" {
		h.Set("x-peertube-video-password", password)
	}
	return c.Raw(method, path, nil, h)
}

type passwordList struct {
	Total int `json:"total"`
	Data  []struct {
		ID        int64     `json:"id"`
		Password  string    `json:"password"`
		VideoID   int64     `json:"videoId"`
		CreatedAt time.Time `json:"createdAt"`
		UpdatedAt time.Time `json:"updatedAt"`
	} `json:"data"`
}

func TestVideoPasswords(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		other := s.NewUser(t, 2, -1)
		mod := s.NewUser(t, 1, -1)
		anon := s.Anonymous(t)
		clip := servertest.Clip(t)
		channel := strconv.FormatInt(owner.Channel(), 10)

		// Uploads: privacy 5 needs passwords, and only privacy 5 has any.
		for _, f := range []map[string][]string{
			{"privacy": {"5"}},
			{"privacy": {"5"}, "videoPasswords[]": {"x"}},
			{"privacy": {"5"}, "videoPasswords[]": {"twice", "twice"}},
			{"privacy": {"1"}, "videoPasswords[]": {"public-but-locked"}},
		} {
			f["name"], f["channelId"] = []string{"Refused"}, []string{channel}
			p := owner.Upload(clip, f).Problem(http.StatusBadRequest)
			if p.InvalidParams["videoPasswords"] == "" {
				t.Errorf("upload %v: %+v, want invalid videoPasswords", f, p)
			}
		}
		up := owner.PublishProtected(clip, "secret-one", "secret-two")
		path := "/api/v1/videos/" + up.Video.UUID

		// Viewers: owner and moderators pass with their token, everyone
		// else needs one of the passwords.
		if p := withPassword(anon, "GET", path, "").Problem(http.StatusForbidden); p.Code != "video_requires_password" {
			t.Fatalf("no password: %+v", p)
		}
		if p := withPassword(other, "GET", path, "").Problem(http.StatusForbidden); p.Code != "video_requires_password" {
			t.Fatalf("another user without password: %+v", p)
		}
		if p := withPassword(anon, "GET", path, "secret-three").Problem(http.StatusForbidden); p.Code != "incorrect_video_password" {
			t.Fatalf("wrong password: %+v", p)
		}
		withPassword(anon, "GET", path, "secret-one").Expect(http.StatusOK)
		withPassword(other, "GET", path, "secret-two").Expect(http.StatusOK)
		withPassword(anon, "GET", path+"/description", "secret-two").Expect(http.StatusOK)
		owner.Do("GET", path, nil).Expect(http.StatusOK)
		mod.Do("GET", path, nil).Expect(http.StatusOK)
		// File tokens follow the same rules.
		if anon.FileToken(up.Video.UUID, "") != "" || anon.FileToken(up.Video.UUID, "wrong-one") != "" {
			t.Fatal("a file token without the password")
		}
		if anon.FileToken(up.Video.UUID, "secret-one") == "" || owner.FileToken(up.Video.UUID, "") == "" {
			t.Fatal("no file token with the password, or for the owner")
		}

		// Managing the passwords: the owner and moderators only.
		var l passwordList
		owner.Do("GET", path+"/passwords", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 2 || l.Data[0].Password != "secret-one" || l.Data[0].VideoID != up.Video.ID || l.Data[0].CreatedAt.IsZero() {
			t.Fatalf("passwords = %+v", l)
		}
		// As for private videos, others do not learn that it is theirs.
		other.Do("GET", path+"/passwords", nil).Problem(http.StatusNotFound)
		anon.Do("GET", path+"/passwords", nil).Problem(http.StatusUnauthorized)
		mod.Do("GET", path+"/passwords", nil).Expect(http.StatusOK)

		var added struct {
			ID       int64  `json:"id"`
			Password string `json:"password"`
		}
		owner.Do("POST", path+"/passwords", map[string]string{"password": "secret-three"}).Expect(http.StatusOK).JSON(&added)
		if added.ID == 0 || added.Password != "secret-three" {
			t.Fatalf("added password = %+v", added)
		}
		owner.Do("POST", path+"/passwords", map[string]string{"password": "secret-three"}).Problem(http.StatusConflict)
		owner.Do("POST", path+"/passwords", map[string]string{"password": "x"}).Problem(http.StatusBadRequest)
		other.Do("POST", path+"/passwords", map[string]string{"password": "hijacker"}).Problem(http.StatusNotFound)
		withPassword(anon, "GET", path, "secret-three").Expect(http.StatusOK)

		owner.Do("DELETE", path+"/passwords/"+strconv.FormatInt(added.ID, 10), nil).Expect(http.StatusNoContent)
		owner.Do("DELETE", path+"/passwords/"+strconv.FormatInt(added.ID, 10), nil).Problem(http.StatusNotFound)
		withPassword(anon, "GET", path, "secret-three").Problem(http.StatusForbidden)

		// PUT replaces them all; the last one cannot go.
		owner.Do("PUT", path+"/passwords", map[string]any{"passwords": []string{}}).Problem(http.StatusBadRequest)
		owner.Do("PUT", path+"/passwords", map[string]any{"passwords": []string{"only-one"}}).Expect(http.StatusNoContent)
		owner.Do("GET", path+"/passwords", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 1 || l.Data[0].Password != "only-one" {
			t.Fatalf("after PUT: %+v", l)
		}
		owner.Do("DELETE", path+"/passwords/"+strconv.FormatInt(l.Data[0].ID, 10), nil).Problem(http.StatusForbidden)
		withPassword(anon, "GET", path, "secret-one").Problem(http.StatusForbidden)
		withPassword(anon, "GET", path, "only-one").Expect(http.StatusOK)

		// Leaving password protection drops the passwords; coming back
		// needs new ones.
		owner.Do("PUT", path, map[string]any{"privacy": 3, "videoPasswords": []string{"not-here"}}).Problem(http.StatusBadRequest)
		owner.Do("PUT", path, map[string]any{"privacy": 1}).Expect(http.StatusNoContent)
		anon.Do("GET", path, nil).Expect(http.StatusOK)
		owner.Do("GET", path+"/passwords", nil).Problem(http.StatusBadRequest)
		owner.Do("POST", path+"/passwords", map[string]string{"password": "too-early"}).Problem(http.StatusBadRequest)
		p := owner.Do("PUT", path, map[string]any{"privacy": 5}).Problem(http.StatusBadRequest)
		if p.InvalidParams["videoPasswords"] == "" {
			t.Fatalf("privacy 5 without passwords: %+v", p)
		}
		owner.Do("PUT", path, map[string]any{"privacy": 5, "videoPasswords": []string{"back-again"}}).Expect(http.StatusNoContent)
		withPassword(anon, "GET", path, "only-one").Problem(http.StatusForbidden)
		withPassword(anon, "GET", path, "back-again").Expect(http.StatusOK)
		// An update that keeps the privacy may replace the passwords.
		owner.Do("PUT", path, map[string]any{"videoPasswords": []string{"third-time"}}).Expect(http.StatusNoContent)
		withPassword(anon, "GET", path, "third-time").Expect(http.StatusOK)
		withPassword(anon, "GET", path, "back-again").Problem(http.StatusForbidden)

		// A resumable upload carries its passwords in the JSON metadata.
		data := readFile(t, clip)
		loc := owner.InitUpload(int64(len(data)), map[string]any{
			"name": "Resumable protected", "channelId": owner.Channel(), "filename": "clip.mp4",
			"privacy": 5, "videoPasswords": []string{"resumed-secret"},
		}).Expect(http.StatusCreated).Header.Get("Location")
		var res servertest.UploadedVideo
		owner.PutChunk(loc, 0, data, int64(len(data))).Expect(http.StatusOK).JSON(&res)
		servertest.WaitState(t, owner, res.Video.UUID, 3*time.Minute, 1)
		withPassword(anon, "GET", "/api/v1/videos/"+res.Video.UUID, "resumed-secret").Expect(http.StatusOK)

		// Neither list shows password-protected videos to others.
		var vl videoList
		anon.Do("GET", "/api/v1/videos?include=1", nil).Expect(http.StatusOK).JSON(&vl)
		mod.Do("GET", "/api/v1/videos?include=1", nil).Expect(http.StatusOK).JSON(&vl)
		for _, v := range vl.Data {
			if v.Privacy.ID == 5 {
				t.Fatalf("a password-protected video is listed: %+v", v)
			}
		}
	})
}

// Wrong passwords are limited per video and client address, and per
// video; right ones cost nothing. The limits count with the server's
// clock, which the test moves.
func TestVideoPasswordGuessLimit(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	owner := s.NewUser(t, 2, -1)
	clip := servertest.Clip(t)
	a := "/api/v1/videos/" + owner.PublishProtected(clip, "right-password").Video.UUID
	b := "/api/v1/videos/" + owner.PublishProtected(clip, "right-password").Video.UUID
	guesser := s.AnonymousFrom(t, "127.0.0.1")

	for range 20 {
		withPassword(guesser, "GET", a, "right-password").Expect(http.StatusOK)
	}
	for i := range 10 {
		if p := withPassword(guesser, "GET", a, fmt.Sprintf("guess-%d", i)).Problem(http.StatusForbidden); p.Code != "incorrect_video_password" {
			t.Fatalf("guess %d: %+v", i, p)
		}
	}
	res := withPassword(guesser, "GET", a, "guess-10")
	res.Problem(http.StatusTooManyRequests)
	if wait, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || wait < 1 || wait > 600 {
		t.Fatalf("Retry-After = %q", res.Header.Get("Retry-After"))
	}
	// Blocked means blocked: the right password is not even checked, nor
	// is a token handed out.
	withPassword(guesser, "GET", a, "right-password").Problem(http.StatusTooManyRequests)
	withPassword(guesser, "POST", a+"/token", "right-password").Problem(http.StatusTooManyRequests)
	// Another video, another client address: not blocked.
	withPassword(guesser, "GET", b, "guess-b").Problem(http.StatusForbidden)
	withPassword(s.AnonymousFrom(t, "127.0.0.2"), "GET", a, "right-password").Expect(http.StatusOK)
	// The owner needs no password at all.
	owner.Do("GET", a, nil).Expect(http.StatusOK)

	s.Clock.Advance(11 * time.Minute)
	withPassword(guesser, "GET", a, "right-password").Expect(http.StatusOK)
	withPassword(guesser, "GET", b, "right-password").Expect(http.StatusOK)
}

// File tokens expire, and a privacy change invalidates them.
func TestFileTokenLifetime(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	owner := s.NewUser(t, 2, -1)
	other := s.NewUser(t, 2, -1)
	up := owner.UploadVideo(servertest.Clip(t), "Private", 3)
	servertest.WaitState(t, owner, up.Video.UUID, 3*time.Minute, 1)
	thumb := "/lazy-static/thumbnails/" + up.Video.UUID + ".jpg"
	anon := s.Anonymous(t)

	if status, _ := anon.Fetch(thumb); status != http.StatusForbidden {
		t.Fatalf("private thumbnail without a token: %d", status)
	}
	if other.FileToken(up.Video.UUID, "") != "" {
		t.Fatal("another user got a file token of a private video")
	}
	token := owner.FileToken(up.Video.UUID, "")
	if status, body := anon.Fetch(thumb + "?videoFileToken=" + token); status != http.StatusOK || !isJPEG(body) {
		t.Fatalf("with the owner's token: %d", status)
	}
	for _, forged := range []string{"x", "1.2", token + "x", "99999999999." + token[len("1234567890."):]} {
		if status, _ := anon.Fetch(thumb + "?videoFileToken=" + forged); status != http.StatusForbidden {
			t.Fatalf("forged token %q: %d", forged, status)
		}
	}
	// The owner's own session opens the files too.
	if status, _ := owner.Fetch(thumb); status != http.StatusOK {
		t.Fatalf("the owner with a bearer token: %d", status)
	}

	s.Clock.Advance(2*time.Hour + time.Second)
	if status, _ := anon.Fetch(thumb + "?videoFileToken=" + token); status != http.StatusForbidden {
		t.Fatalf("an expired token: %d", status)
	}
	token = owner.FileToken(up.Video.UUID, "")
	owner.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"privacy": 4}).Expect(http.StatusNoContent)
	if status, _ := anon.Fetch(thumb + "?videoFileToken=" + token); status != http.StatusForbidden {
		t.Fatalf("a token from before the privacy change: %d", status)
	}
	// Internal: any logged-in user gets a token now.
	if status, _ := anon.Fetch(thumb + "?videoFileToken=" + other.FileToken(up.Video.UUID, "")); status != http.StatusOK {
		t.Fatalf("a token of another user of an internal video: %d", status)
	}
}
