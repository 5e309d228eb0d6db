package storagetest

import (
	"bytes"
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

func testPresignExpired(t *testing.T, s storage.Store) {
	put(t, s, "exp/x.json", []byte("{}"), "")
	u, err := s.PresignGet(t.Context(), "exp/x.json", time.Second)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	// Expiry has one-second resolution in every scheme, so wait past the
	// next whole second after the deadline.
	time.Sleep(3100 * time.Millisecond)
	if resp, _ := fetch(t, http.MethodGet, u, nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("GET with an expired URL: status %d, want 403", resp.StatusCode)
	}
}
