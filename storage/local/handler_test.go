package local_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cuttle.video/storage"
	"cuttle.video/storage/local"
)

type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// wantProblem checks that resp is a problem document with the status.
func wantProblem(t *testing.T, resp *http.Response, body []byte, status int) problemDoc {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d (body %s)", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p problemDoc
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body %q: %v", body, err)
	}
	if p.Type != "about:blank" || p.Status != status || p.Title != http.StatusText(status) || p.Detail == "" {
		t.Fatalf("problem = %+v", p)
	}
	return p
}

func do(t *testing.T, method, u string, body io.Reader, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	// Redirects are not followed: a redirect to another path must show up
	// as what it is rather than as that path's answer.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func presigned(t *testing.T, st *local.Store, key string) string {
	t.Helper()
	u, err := st.PresignGet(t.Context(), key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// granted returns the URL that writes key through a grant on its
// directory.
func granted(t *testing.T, st *local.Store, key string) string {
	t.Helper()
	dir, name := path.Split(key)
	g, err := st.GrantPut(t.Context(), dir, []string{storage.ContentTypeFor(name)}, time.Minute, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return g.Put.URL + url.PathEscape(name) + "?" + g.Put.Query
}

func TestHandlerServesObjects(t *testing.T) {
	st, _ := newServed(t)
	data := []byte(strings.Repeat("0123456789", 100))
	if err := st.Put(t.Context(), "v/1/seg.m4s", strings.NewReader(string(data)), int64(len(data)), ""); err != nil {
		t.Fatal(err)
	}
	u := presigned(t, st, "v/1/seg.m4s")

	resp, body := do(t, http.MethodGet, u, nil, nil)
	if resp.StatusCode != http.StatusOK || string(body) != string(data) {
		t.Fatalf("GET: %d, %d bytes", resp.StatusCode, len(body))
	}
	for h, want := range map[string]string{"Content-Type": "video/iso.segment", "Content-Length": "1000", "Accept-Ranges": "bytes"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("GET %s = %q, want %q", h, got, want)
		}
	}

	resp, body = do(t, http.MethodGet, u, nil, http.Header{"Range": {"bytes=10-19"}})
	if resp.StatusCode != http.StatusPartialContent || string(body) != "0123456789" {
		t.Fatalf("ranged GET: %d, %q", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Range"); got != "bytes 10-19/1000" {
		t.Errorf("Content-Range = %q", got)
	}

	resp, body = do(t, http.MethodHead, u, nil, nil)
	if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.ContentLength != 1000 {
		t.Fatalf("HEAD: %d, %d body bytes, length %d", resp.StatusCode, len(body), resp.ContentLength)
	}

	resp, body = do(t, http.MethodGet, u, nil, http.Header{"Range": {"bytes=5000-6000"}})
	wantProblem(t, resp, body, http.StatusRequestedRangeNotSatisfiable)

	resp, body = do(t, http.MethodGet, presigned(t, st, "v/1/none.m4s"), nil, nil)
	wantProblem(t, resp, body, http.StatusNotFound)
}

func TestHandlerRefusesBadSignatures(t *testing.T) {
	st, _ := newServed(t)
	if err := st.Put(t.Context(), "a/b.json", strings.NewReader("{}"), 2, ""); err != nil {
		t.Fatal(err)
	}
	good := presigned(t, st, "a/b.json")
	u, _ := url.Parse(good)
	q := u.Query()

	tamper := func(mod func(url.Values)) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = append([]string(nil), vs...)
		}
		mod(v)
		c := *u
		c.RawQuery = v.Encode()
		return c.String()
	}
	flip := func(s string) string {
		if s[len(s)-1] == '0' {
			return s[:len(s)-1] + "1"
		}
		return s[:len(s)-1] + "0"
	}
	for name, bad := range map[string]string{
		"flipped signature": tamper(func(v url.Values) { v.Set("sig", flip(v.Get("sig"))) }),
		"no signature":      tamper(func(v url.Values) { v.Del("sig") }),
		"not hex":           tamper(func(v url.Values) { v.Set("sig", "zz") }),
		"longer expiry":     tamper(func(v url.Values) { v.Set("expires", v.Get("expires")+"0") }),
		"no expiry":         tamper(func(v url.Values) { v.Del("expires") }),
		"other key":         strings.Replace(good, "/a/b.json", "/a/c.json", 1),
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := do(t, http.MethodGet, bad, nil, nil)
			wantProblem(t, resp, body, http.StatusForbidden)
		})
	}

	t.Run("PUT with a GET signature", func(t *testing.T) {
		resp, body := do(t, http.MethodPut, good, strings.NewReader(`{"evil":true}`), nil)
		wantProblem(t, resp, body, http.StatusForbidden)
		_, body = do(t, http.MethodGet, good, nil, nil)
		if string(body) != "{}" {
			t.Fatalf("object changed to %q", body)
		}
	})
	t.Run("GET with a grant", func(t *testing.T) {
		resp, body := do(t, http.MethodGet, granted(t, st, "a/b.json"), nil, nil)
		wantProblem(t, resp, body, http.StatusForbidden)
	})
}

func TestHandlerMethods(t *testing.T) {
	st, _ := newServed(t)
	u := presigned(t, st, "a/b.json")
	for _, m := range []string{http.MethodPost, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		resp, body := do(t, m, u, nil, nil)
		wantProblem(t, resp, body, http.StatusMethodNotAllowed)
		if allow := resp.Header.Get("Allow"); allow != "GET, HEAD, PUT" {
			t.Errorf("%s: Allow = %q", m, allow)
		}
	}
}

func TestHandlerPathTricks(t *testing.T) {
	st, dir := newServed(t)
	outside := escapeFixture(t, dir)
	// A genuine signature and a genuine grant, so only the path can be
	// the reason for refusal.
	u, _ := url.Parse(presigned(t, st, "x"))
	srvURL := u.Scheme + "://" + u.Host + st.MountPath()
	g, _ := url.Parse(granted(t, st, "a/x"))
	query := map[string]string{http.MethodGet: "?" + u.RawQuery, http.MethodPut: "?" + g.RawQuery}
	untouched := func(what string) {
		t.Helper()
		if b, err := os.ReadFile(filepath.Join(outside, "secret.txt")); err != nil || string(b) != "top secret" {
			t.Errorf("%s: the file outside the store now holds %q (%v)", what, b, err)
		}
		if entries, _ := os.ReadDir(outside); len(entries) != 1 {
			t.Errorf("%s: files appeared outside the store: %v", what, entries)
		}
	}

	for _, method := range []string{http.MethodGet, http.MethodPut} {
		// Through the real server and mux, as a client would send them.
		for _, p := range []string{"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/a/%2e/b", "/link/secret.txt", "//etc/passwd"} {
			resp, body := do(t, method, srvURL+p+query[method], strings.NewReader("planted"), nil)
			if resp.StatusCode/100 == 2 || strings.Contains(string(body), "root:") || strings.Contains(string(body), "top secret") {
				t.Errorf("%s %s: status %d, body %q", method, p, resp.StatusCode, body)
			}
			untouched(method + " " + p)
		}

		// Straight to the handler, as a proxy that does not clean paths would.
		h := http.StripPrefix(st.MountPath(), st.Handler())
		for _, target := range []string{"/storage/../../etc/passwd", "/storage/%2e%2e/%2e%2e/etc/passwd", "/storage/a/..%2f..%2fb", "/storage/", "/storage//etc/passwd"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(method, target+query[method], strings.NewReader("planted")))
			wantProblem(t, rec.Result(), rec.Body.Bytes(), http.StatusBadRequest)
		}
	}

	// A correctly signed URL, and a correct grant, for a key that is a
	// symlink out of the store.
	resp, body := do(t, http.MethodGet, presigned(t, st, "link/secret.txt"), nil, nil)
	if resp.StatusCode == http.StatusOK || strings.Contains(string(body), "top secret") || strings.Contains(string(body), dir) {
		t.Errorf("signed symlink escape: status %d, body %q", resp.StatusCode, body)
	}
	for _, key := range []string{"link/secret.txt", "link/planted.txt"} {
		resp, body = do(t, http.MethodPut, granted(t, st, key), strings.NewReader("planted"), nil)
		if resp.StatusCode/100 == 2 || strings.Contains(string(body), dir) {
			t.Errorf("granted symlink escape to %s: status %d, body %q", key, resp.StatusCode, body)
		}
		untouched("granted " + key)
	}
}

func TestHandlerPutErrors(t *testing.T) {
	st, dir := newServed(t)
	if err := st.Put(t.Context(), "a", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	// "a" is a file, so "a/b" cannot be created: a server-side failure
	// whose answer must not reveal where the store lives.
	resp, body := do(t, http.MethodPut, granted(t, st, "a/b.json"), strings.NewReader("y"), nil)
	wantProblem(t, resp, body, http.StatusInternalServerError)
	if strings.Contains(string(body), dir) || strings.Contains(string(body), "cuttle-tmp") {
		t.Errorf("problem reveals internals: %s", body)
	}

	// A body shorter than its Content-Length is the client's fault.
	req := httptest.NewRequest(http.MethodPut, granted(t, st, "c/d.json"), strings.NewReader("{}"))
	req.ContentLength = 10
	rec := httptest.NewRecorder()
	http.StripPrefix(st.MountPath(), st.Handler()).ServeHTTP(rec, req)
	wantProblem(t, rec.Result(), rec.Body.Bytes(), http.StatusBadRequest)
	if _, err := st.Stat(t.Context(), "c/d.json"); err == nil {
		t.Error("a truncated upload was stored")
	}
}
