package storagetest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"cuttle.video/storage"
)

func fetch(t *testing.T, method, url string, body []byte, header http.Header) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatalf("request %s %s: %v", method, url, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp, b
}

func testPresignGet(t *testing.T, s storage.Store) {
	data := randomBytes(256 << 10)
	put(t, s, "videos/p q/seg 1.m4s", data, "")
	u, err := s.PresignGet(t.Context(), "videos/p q/seg 1.m4s", 5*time.Minute)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	resp, body := fetch(t, http.MethodGet, u, nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("GET presigned: status %d, %d bytes (want %d)", resp.StatusCode, len(body), len(data))
	}
	// Players seek with Range requests on the same URL.
	resp, body = fetch(t, http.MethodGet, u, nil, http.Header{"Range": {"bytes=100-199"}})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, data[100:200]) {
		t.Fatalf("ranged GET presigned: status %d, %d bytes", resp.StatusCode, len(body))
	}

	u, err = s.PresignGet(t.Context(), "videos/missing.m4s", time.Minute)
	if err != nil {
		t.Fatalf("PresignGet of a missing key: %v", err)
	}
	if resp, _ := fetch(t, http.MethodGet, u, nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET presigned missing object: status %d, want 404", resp.StatusCode)
	}
}

func testPresignPut(t *testing.T, s storage.Store) {
	data := randomBytes(300 << 10)
	u, err := s.PresignPut(t.Context(), "uploads/u1/source.mp4", 5*time.Minute)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	resp, body := fetch(t, http.MethodPut, u, data, http.Header{"Content-Type": {"video/mp4"}})
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT presigned: status %d: %s", resp.StatusCode, body)
	}
	if got, _ := get(t, s, "uploads/u1/source.mp4", nil); !bytes.Equal(got, data) {
		t.Fatalf("object written through the presigned URL differs (%d bytes)", len(got))
	}

	// The URL fixes the type by the key: a segment cannot become a page.
	const seg = "videos/v1/hls/720p-00000.m4s"
	u, err = s.PresignPut(t.Context(), seg, 5*time.Minute)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	page := []byte("<script>alert(1)</script>")
	if resp, _ := fetch(t, http.MethodPut, u, page, http.Header{"Content-Type": {"text/html"}}); resp.StatusCode/100 == 2 {
		t.Fatalf("PUT as text/html to %s: status %d, want a refusal", seg, resp.StatusCode)
	}
	if _, err := s.Stat(t.Context(), seg); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a refused PUT stored %s (stat: %v)", seg, err)
	}
	if resp, body := fetch(t, http.MethodPut, u, data, http.Header{"Content-Type": {storage.ContentTypeFor(seg)}}); resp.StatusCode/100 != 2 {
		t.Fatalf("PUT with the key's type: status %d: %s", resp.StatusCode, body)
	}
	if info, err := s.Stat(t.Context(), seg); err != nil || info.ContentType != storage.ContentTypeFor(seg) {
		t.Fatalf("stored %s as %q (%v), want %q", seg, info.ContentType, err, storage.ContentTypeFor(seg))
	}
}

func testPresignExpired(t *testing.T, s storage.Store) {
	put(t, s, "exp/x.json", []byte("{}"), "")
	getURL, err := s.PresignGet(t.Context(), "exp/x.json", time.Second)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	putURL, err := s.PresignPut(t.Context(), "exp/x.json", time.Second)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	// Expiry has one-second resolution in every scheme, so wait past the
	// next whole second after the deadline.
	time.Sleep(3100 * time.Millisecond)
	if resp, _ := fetch(t, http.MethodGet, getURL, nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("GET with an expired URL: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := fetch(t, http.MethodPut, putURL, []byte(`{"x":1}`), nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("PUT with an expired URL: status %d, want 403", resp.StatusCode)
	}
	if got, _ := get(t, s, "exp/x.json", nil); string(got) != "{}" {
		t.Fatalf("expired PUT changed the object to %q", got)
	}
}
