package s3_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"cuttle.video/storage"
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
		formPath  string
	}{
		{true, "store.example:9000", "/media/videos/x.mp4", "/media"},
		{false, "media.store.example:9000", "/videos/x.mp4", ""},
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
		g := grant(t, st)
		// A form is posted to the bucket; the key is one of its fields.
		u, err = url.Parse(g.Forms[0].URL)
		if err != nil {
			t.Fatal(err)
		}
		if u.Host != c.host || strings.TrimSuffix(u.Path, "/") != c.formPath {
			t.Errorf("path style %v: grant form posted to %s", c.pathStyle, g.Forms[0].URL)
		}
	}
	st, err := s3.New(t.Context(), s3.Config{Bucket: "b", AccessKey: "a", SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PresignGet(t.Context(), "x", 8*24*time.Hour); err == nil {
		t.Error("PresignGet beyond the 7-day limit succeeded")
	}
	if _, err := st.GrantPut(t.Context(), "staging/", []string{storage.ContentTypeFor("x.m4s")}, 8*24*time.Hour, 1); err == nil {
		t.Error("GrantPut beyond the 7-day limit succeeded")
	}
	// On AWS itself the SDK's default checksums stay on for requests;
	// they must still not leak into grants.
	grant(t, st)
}

// grant returns a grant of st for segments and checks that it binds no
// checksum, which would tie each form to one body.
func grant(t *testing.T, st *s3.Store) storage.Grant {
	t.Helper()
	g, err := st.GrantPut(t.Context(), "staging/v1/", []string{storage.ContentTypeFor("x.m4s")}, time.Minute, 1<<20)
	if err != nil {
		t.Fatalf("GrantPut: %v", err)
	}
	if len(g.Forms) != 1 {
		t.Fatalf("grant for one type has %d forms", len(g.Forms))
	}
	for k, v := range g.Forms[0].Fields {
		if k == "policy" {
			policy, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				t.Fatalf("grant policy %q: %v", v, err)
			}
			v = string(policy)
		}
		if strings.Contains(strings.ToLower(k+v), "checksum") {
			t.Errorf("grant form field %s binds a checksum: %s", k, v)
		}
	}
	return g
}
