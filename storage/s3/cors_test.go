package s3_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"cuttle.video/storage/s3"
	"cuttle.video/storage/storagetest"
)

const page = "http://cuttle.example:8080"

// A bucket someone else also serves pages from: EnsureBucket adds the
// rule for Cuttle's origin and keeps theirs, and a browser on Cuttle's
// pages gets the headers it needs from the S3 service itself.
func TestEnsureBucketAllowsThePublicOrigin(t *testing.T) {
	env := storagetest.S3FromEnv(t)
	owner := newStore(t, env, 0)
	ctx := t.Context()
	foreign := types.CORSRule{AllowedOrigins: []string{"https://other.example"}, AllowedMethods: []string{"GET"}}
	if _, err := owner.Client().PutBucketCors(ctx, &awss3.PutBucketCorsInput{
		Bucket: aws.String(owner.Bucket()), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{foreign}},
	}); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}

	cfg := config(env, owner.Bucket(), 0)
	cfg.AllowedOrigins = []string{page}
	st, err := s3.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Twice: a restart finds its rule and adds nothing.
	for range 2 {
		if err := st.EnsureBucket(ctx); err != nil {
			t.Fatalf("EnsureBucket: %v", err)
		}
	}
	out, err := st.Client().GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: aws.String(st.Bucket())})
	if err != nil {
		t.Fatalf("GetBucketCors: %v", err)
	}
	if len(out.CORSRules) != 2 {
		t.Fatalf("%d CORS rules, want Cuttle's and the foreign one: %+v", len(out.CORSRules), out.CORSRules)
	}
	if !slices.ContainsFunc(out.CORSRules, func(r types.CORSRule) bool {
		return slices.Equal(r.AllowedOrigins, foreign.AllowedOrigins) && slices.Equal(r.AllowedMethods, foreign.AllowedMethods)
	}) {
		t.Errorf("the foreign rule is gone: %+v", out.CORSRules)
	}

	if err := st.Put(ctx, "videos/v/0.m4s", strings.NewReader("segment bytes"), 13, ""); err != nil {
		t.Fatal(err)
	}
	url, err := st.PresignGet(ctx, "videos/v/0.m4s", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	preflight := browserRequest(t, http.MethodOptions, url, page, func(r *http.Request) {
		r.Header.Set("Access-Control-Request-Method", "GET")
		r.Header.Set("Access-Control-Request-Headers", "range")
	})
	if got := preflight.Header.Get("Access-Control-Allow-Origin"); preflight.StatusCode >= 300 || got != page {
		t.Errorf("preflight: %d, Access-Control-Allow-Origin %q", preflight.StatusCode, got)
	}
	get := browserRequest(t, http.MethodGet, url, page, func(r *http.Request) { r.Header.Set("Range", "bytes=0-6") })
	if got := get.Header.Get("Access-Control-Allow-Origin"); get.StatusCode != http.StatusPartialContent || got != page {
		t.Errorf("GET: %d, Access-Control-Allow-Origin %q", get.StatusCode, got)
	}
	if exposed := strings.ToLower(get.Header.Get("Access-Control-Expose-Headers")); !strings.Contains(exposed, "content-range") {
		t.Errorf("GET: Access-Control-Expose-Headers %q lacks Content-Range", exposed)
	}
	// Not a blanket answer: an origin no rule names gets nothing.
	stranger := browserRequest(t, http.MethodGet, url, "https://stranger.example", nil)
	if got := stranger.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("GET from another origin: Access-Control-Allow-Origin %q", got)
	}
}

// browserRequest sends what a page of origin sends, and returns the
// answer with its body read.
func browserRequest(t *testing.T, method, url, origin string, edit func(*http.Request)) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	if edit != nil {
		edit(req)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	res.Body.Close()
	return res
}

// A service that implements no bucket CORS (or an account not allowed to
// change it) does not stop the store: the admin is told what to set.
func TestEnsureBucketWarnsWhenCORSIsRefused(t *testing.T) {
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			return // the bucket exists
		}
		w.WriteHeader(http.StatusNotImplemented)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>no CORS here</Message></Error>`)
	}))
	defer svc.Close()
	var logged strings.Builder
	st, err := s3.New(t.Context(), s3.Config{
		Endpoint: svc.URL, Bucket: "media", AccessKey: "a", SecretKey: "s", PathStyle: true,
		AllowedOrigins: []string{page}, PublicBaseURL: "https://cdn.example",
		Logger: slog.New(slog.NewTextHandler(&logged, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBucket(t.Context()); err != nil {
		t.Fatalf("EnsureBucket: %v", err)
	}
	for _, want := range []string{
		"set its CORS rules by hand",
		"NotImplemented",
		"allowed origins " + page + ", methods GET HEAD, allowed headers Range, exposed headers Content-Length Content-Range ETag",
		"public_url=https://cdn.example",
	} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logged.String())
		}
	}
}
