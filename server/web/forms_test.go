package web_test

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"cuttle.video/server/servertest"
)

// The forms anyone may post take only small urlencoded bodies: a large
// multipart body is refused unread, and nothing of it reaches the
// temporary directory, however long the client keeps sending.
func TestAnonymousFormsRefuseLargeBodies(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	user := s.NewUser(t, 2, -1)
	// The server runs in this process: its temporary files go here.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	for _, route := range []struct {
		path string
		api  bool
	}{{"/login", false}, {"/signup", false}, {"/language", false}, {"/logout", false}, {"/api/v1/users/token", true}} {
		// A 64 MiB file in a multipart form, streamed: after each MiB
		// sent, the temporary directory is looked at.
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		spilled := make(chan []string, 1)
		go func() {
			var seen []string
			defer func() { spilled <- seen }()
			if err := mw.WriteField("lang", "en"); err != nil {
				pw.CloseWithError(err)
				return
			}
			fw, err := mw.CreateFormFile("username", "big.bin")
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			chunk := make([]byte, 1<<20)
			for range 64 {
				if _, err := fw.Write(chunk); err != nil {
					return // the server hung up
				}
				if entries, _ := os.ReadDir(tmp); len(entries) > 0 && seen == nil {
					for _, e := range entries {
						seen = append(seen, e.Name())
					}
				}
			}
			pw.CloseWithError(mw.Close())
		}()
		req, err := http.NewRequest("POST", s.URL+route.path, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", s.URL)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", route.path, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		pr.CloseWithError(io.ErrClosedPipe)
		if seen := <-spilled; len(seen) > 0 {
			t.Errorf("POST %s: the body reached the temporary directory: %v", route.path, seen)
		}
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("POST %s with a multipart body: status %d, want 415", route.path, res.StatusCode)
		}
		if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); route.api && mt != "application/problem+json" {
			t.Errorf("POST %s: answered %s, want a problem document", route.path, mt)
		}

		// A large urlencoded body is refused too, whether its length is
		// announced or not.
		big := "username=" + strings.Repeat("a", 64<<10)
		for _, length := range []int64{int64(len(big)), -1} {
			req, _ := http.NewRequest("POST", s.URL+route.path, io.NopCloser(strings.NewReader(big)))
			req.ContentLength = length
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", s.URL)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %s with %d bytes (length %d): status %d, want 413", route.path, len(big), length, res.StatusCode)
			}
		}
	}

	// Ordinary forms still work.
	b := newWebBrowser(t, s)
	b.post("/login", url.Values{"username": {user.Username}, "password": {user.Password}, "next": {"/my/videos"}}).
		redirectsTo(t, "/my/videos")
	b.post("/language", url.Values{"lang": {"fr"}, "next": {"/"}}).redirectsTo(t, "/")
	s.Client(t, user.Username, user.Password).Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK)
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("temporary files left: %v", fmt.Sprint(entries))
	}
}
