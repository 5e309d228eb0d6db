package s3_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"cuttle.video/storage/s3"
)

// These tests need no service: configuration checks and URL signing are
// done locally.

func TestNewValidatesConfig(t *testing.T) {
	for name, cfg := range map[string]s3.Config{
		"no bucket":      {Endpoint: "http://127.0.0.1:1"},
		"half the keys":  {Bucket: "b", AccessKey: "a"},
		"bad endpoint":   {Bucket: "b", Endpoint: "127.0.0.1:9000"},
		"tiny part size": {Bucket: "b", AccessKey: "a", SecretKey: "s", PartSize: 1 << 20},
		"origin no URL":  {Bucket: "b", AllowedOrigins: []string{"cuttle.example"}},
		"origin w/ path": {Bucket: "b", AllowedOrigins: []string{"https://cuttle.example/videos"}},
	} {
		if _, err := s3.New(t.Context(), cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestPublicURL(t *testing.T) {
	st, err := s3.New(t.Context(), s3.Config{Bucket: "b", AccessKey: "a", SecretKey: "s", PublicBaseURL: "https://cdn.example/media/"})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := st.PublicURL("videos/a b/720.m3u8"); !ok || got != "https://cdn.example/media/videos/a%20b/720.m3u8" {
		t.Errorf("PublicURL = %q, %v", got, ok)
	}
	if _, ok := st.PublicURL("../x"); ok {
		t.Error("PublicURL accepted an invalid key")
	}
	st, err = s3.New(t.Context(), s3.Config{Bucket: "b", AccessKey: "a", SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.PublicURL("videos/a.mp4"); ok {
		t.Error("PublicURL without PublicBaseURL reported an address")
	}
}

func TestAddressingStyles(t *testing.T) {
	for _, c := range []struct {
		pathStyle bool
		host      string
		path      string
	}{
		{true, "store.example:9000", "/media/videos/x.mp4"},
		{false, "media.store.example:9000", "/videos/x.mp4"},
	} {
		st, err := s3.New(t.Context(), s3.Config{
			Endpoint: "https://store.example:9000", Bucket: "media",
			AccessKey: "a", SecretKey: "s", PathStyle: c.pathStyle,
		})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := st.PresignGet(t.Context(), "videos/x.mp4", 15*time.Minute)
		if err != nil {
			t.Fatalf("PresignGet: %v", err)
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if u.Host != c.host || u.Path != c.path || q.Get("X-Amz-Expires") != "900" || q.Get("X-Amz-Signature") == "" {
			t.Errorf("path style %v: presigned URL %s", c.pathStyle, raw)
		}
		put, err := st.PresignPut(t.Context(), "videos/x.mp4", time.Minute)
		if err != nil {
			t.Fatalf("PresignPut: %v", err)
		}
		// A checksum signed into the URL would bind it to one body.
		if strings.Contains(strings.ToLower(put), "checksum") {
			t.Errorf("presigned PUT carries a checksum: %s", put)
		}
	}
	st, err := s3.New(t.Context(), s3.Config{Bucket: "b", AccessKey: "a", SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PresignGet(t.Context(), "x", 8*24*time.Hour); err == nil {
		t.Error("PresignGet beyond the 7-day limit succeeded")
	}
	// On AWS itself the SDK's default checksums stay on for requests;
	// they must still not leak into presigned PUTs.
	put, err := st.PresignPut(t.Context(), "videos/x.mp4", time.Minute)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	if strings.Contains(strings.ToLower(put), "checksum") {
		t.Errorf("presigned PUT for AWS carries a checksum: %s", put)
	}
}
