package httpsig

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const actorKeyID = "https://remote.example/accounts/alice#main-key"

// Generated keys are slow to make; the tests share two.
var (
	genOnce          sync.Once
	genKey, otherKey *rsa.PrivateKey
	genErr           error
)

func generated(t *testing.T) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	genOnce.Do(func() {
		if genKey, genErr = GenerateKey(); genErr == nil {
			otherKey, genErr = GenerateKey()
		}
	})
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genKey, otherKey
}

// delivered signs a request as a remote server would and returns it as our
// server receives it.
func delivered(t *testing.T, key *rsa.PrivateKey, method, target, body string, opts SignOptions) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	out, err := http.NewRequest(method, "https://cuttle.example"+target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		out.Header.Set("Content-Type", "application/activity+json")
	}
	if err := Sign(out, key, actorKeyID, opts); err != nil {
		t.Fatal(err)
	}
	var in *http.Request
	if body != "" {
		in = httptest.NewRequest(method, target, strings.NewReader(body))
	} else {
		in = httptest.NewRequest(method, target, nil)
	}
	in.Host = out.URL.Host
	for name, values := range out.Header {
		in.Header[name] = values
	}
	return in
}

// TestRoundTripOverHTTP sends signed requests through a real client and
// server, so the Host and request target are what the wire carries.
func TestRoundTripOverHTTP(t *testing.T) {
	key, _ := generated(t)
	pemKey, err := EncodePublicKeyPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(_ context.Context, keyID string) (*rsa.PublicKey, error) {
		if keyID != actorKeyID {
			return nil, errors.New("unknown key")
		}
		return ParsePublicKeyPEM(pemKey)
	}
	type result struct {
		keyID string
		body  string
		err   error
	}
	results := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keyID, err := Verifier{}.Verify(r, lookup)
		body, _ := io.ReadAll(r.Body)
		results <- result{keyID, string(body), err}
	}))
	defer srv.Close()

	activity := `{"type":"Follow","actor":"https://remote.example/accounts/alice"}`
	tests := []struct {
		name, method, path, body string
		opts                     SignOptions
	}{
		{"POST to an inbox", http.MethodPost, "/accounts/bob/inbox", activity, SignOptions{}},
		{"signed fetch with a query", http.MethodGet, "/videos/watch/abc?page=2&x=%2F", "", SignOptions{}},
		{"hs2019 with (created)", http.MethodPost, "/inbox", activity,
			SignOptions{Algorithm: AlgorithmHS2019, Headers: []string{"(request-target)", "host", "(created)", "digest"}}},
		{"with (expires)", http.MethodGet, "/accounts/bob", "",
			SignOptions{Headers: []string{"(request-target)", "host", "date", "(expires)"}, Expires: 5 * time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if err := Sign(req, key, actorKeyID, tt.opts); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := <-results
			if got.err != nil {
				t.Fatalf("Verify: %v (Signature: %s)", got.err, req.Header.Get("Signature"))
			}
			if got.keyID != actorKeyID {
				t.Errorf("keyId %q", got.keyID)
			}
			if got.body != tt.body {
				t.Errorf("handler read %q after Verify, want %q", got.body, tt.body)
			}
		})
	}
}

func TestSignDefaults(t *testing.T) {
	key, _ := generated(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		method, body, wantHeaders string
	}{
		{http.MethodPost, `{"type":"Create"}`, `headers="(request-target) host date digest"`},
		{http.MethodGet, "", `headers="(request-target) host date"`},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r, err := http.NewRequest(tt.method, "https://remote.example/inbox", body)
			if err != nil {
				t.Fatal(err)
			}
			if err := Sign(r, key, actorKeyID, SignOptions{Now: now}); err != nil {
				t.Fatal(err)
			}
			sig := r.Header.Get("Signature")
			if !strings.HasPrefix(sig, `keyId="`+actorKeyID+`",algorithm="rsa-sha256",`) || !strings.Contains(sig, tt.wantHeaders) {
				t.Errorf("Signature: %s", sig)
			}
			if got := r.Header.Get("Date"); got != "Sun, 01 Mar 2026 12:00:00 GMT" {
				t.Errorf("Date: %q", got)
			}
			if tt.body == "" {
				return
			}
			if r.Header.Get("Digest") != digestValue([]byte(tt.body)) {
				t.Errorf("Digest: %q", r.Header.Get("Digest"))
			}
			for _, read := range []func() (io.ReadCloser, error){
				func() (io.ReadCloser, error) { return r.Body, nil }, r.GetBody,
			} {
				rc, err := read()
				if err != nil {
					t.Fatal(err)
				}
				if b, _ := io.ReadAll(rc); string(b) != tt.body {
					t.Errorf("body after Sign: %q", b)
				}
			}
		})
	}
}

func TestSignRefuses(t *testing.T) {
	key, _ := generated(t)
	tests := []struct {
		name  string
		keyID string
		opts  SignOptions
		want  error
	}{
		{"unknown algorithm", actorKeyID, SignOptions{Algorithm: "hmac-sha256"}, ErrUnsupportedAlgorithm},
		{"keyId that would break the header", `https://x/"a"`, SignOptions{}, nil},
		{"header not in the request", actorKeyID, SignOptions{Headers: []string{"(request-target)", "host", "date", "x-missing"}}, ErrMissingHeader},
		{"(expires) without a lifetime", actorKeyID, SignOptions{Headers: []string{"(request-target)", "(expires)"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodGet, "https://remote.example/", nil)
			if err != nil {
				t.Fatal(err)
			}
			err = Sign(r, key, tt.keyID, tt.opts)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("Sign: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyRefuses(t *testing.T) {
	key, other := generated(t)
	now := time.Now()
	body := `{"type":"Create","actor":"https://remote.example/accounts/alice"}`
	post := func(t *testing.T, opts SignOptions) *http.Request {
		return delivered(t, key, http.MethodPost, "/inbox", body, opts)
	}
	withHeader := func(r *http.Request, name, value string) *http.Request {
		r.Header.Set(name, value)
		return r
	}

	tests := []struct {
		name     string
		req      func(t *testing.T) *http.Request
		lookupOf *rsa.PrivateKey // the key lookup returns; default key
		maxBody  int64
		want     error // nil: a *KeyMismatchError
	}{
		{name: "forged signature, one byte changed", req: func(t *testing.T) *http.Request {
			r := post(t, SignOptions{})
			sig := r.Header.Get("Signature")
			i := strings.Index(sig, `signature="`) + len(`signature="`) + 10
			c := byte('A')
			if sig[i] == 'A' {
				c = 'B'
			}
			return withHeader(r, "Signature", sig[:i]+string(c)+sig[i+1:])
		}},
		{name: "wrong key", req: func(t *testing.T) *http.Request { return post(t, SignOptions{}) }, lookupOf: other},
		{name: "path changed after signing", req: func(t *testing.T) *http.Request {
			r := post(t, SignOptions{})
			r2 := httptest.NewRequest(http.MethodPost, "/accounts/admin/inbox", strings.NewReader(body))
			r2.Host, r2.Header = r.Host, r.Header
			return r2
		}},
		{name: "body changed after signing", want: ErrDigest, req: func(t *testing.T) *http.Request {
			r := post(t, SignOptions{})
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "Create", "Delete", 1)))
			return r
		}},
		{name: "Digest header missing on POST", want: ErrDigest, req: func(t *testing.T) *http.Request {
			r := post(t, SignOptions{})
			r.Header.Del("Digest")
			return r
		}},
		{name: "Digest of another algorithm only", want: ErrDigest, req: func(t *testing.T) *http.Request {
			return withHeader(post(t, SignOptions{}), "Digest", "SHA-512=AAAA")
		}},
		{name: "Digest not base64", want: ErrDigest, req: func(t *testing.T) *http.Request {
			return withHeader(post(t, SignOptions{}), "Digest", "SHA-256=not base64!")
		}},
		{name: "Date two hours old", want: ErrStale, req: func(t *testing.T) *http.Request {
			return post(t, SignOptions{Now: now.Add(-2 * time.Hour)})
		}},
		{name: "Date two hours ahead", want: ErrStale, req: func(t *testing.T) *http.Request {
			return post(t, SignOptions{Now: now.Add(2 * time.Hour)})
		}},
		{name: "Date unreadable", want: ErrStale, req: func(t *testing.T) *http.Request {
			return withHeader(post(t, SignOptions{}), "Date", "yesterday")
		}},
		{name: "(created) two hours old", want: ErrStale, req: func(t *testing.T) *http.Request {
			return post(t, SignOptions{Now: now.Add(-2 * time.Hour), Headers: []string{"(request-target)", "host", "(created)", "digest"}})
		}},
		{name: "(expires) passed", want: ErrStale, req: func(t *testing.T) *http.Request {
			return post(t, SignOptions{Now: now.Add(-5 * time.Minute), Expires: time.Minute,
				Headers: []string{"(request-target)", "host", "date", "(expires)", "digest"}})
		}},
		{name: "host not signed", want: ErrInsufficientCoverage, req: func(t *testing.T) *http.Request {
			return post(t, SignOptions{Headers: []string{"(request-target)", "date", "digest"}})
		}},
		{name: "(request-target) not signed", want: ErrInsufficientCoverage, req: func(t *testing.T) *http.Request {
			return post(t, SignOptions{Headers: []string{"host", "date", "digest"}})
		}},
		{name: "neither date nor (created) signed", want: ErrInsufficientCoverage, req: func(t *testing.T) *http.Request {
			return post(t, SignOptions{Headers: []string{"(request-target)", "host", "digest"}})
		}},
		{name: "digest not signed on POST", want: ErrInsufficientCoverage, req: func(t *testing.T) *http.Request {
			return post(t, SignOptions{Headers: []string{"(request-target)", "host", "date"}})
		}},
		{name: "signed header absent from the request", want: ErrMissingHeader, req: func(t *testing.T) *http.Request {
			r := post(t, SignOptions{Headers: []string{"(request-target)", "host", "date", "digest", "content-type"}})
			r.Header.Del("Content-Type")
			return r
		}},
		{name: "(created) signed without the parameter", want: ErrMissingHeader, req: func(t *testing.T) *http.Request {
			return withHeader(post(t, SignOptions{}), "Signature",
				`keyId="k",headers="(request-target) host (created) digest",signature="AAAA"`)
		}},
		{name: "unsupported algorithm", want: ErrUnsupportedAlgorithm, req: func(t *testing.T) *http.Request {
			r := post(t, SignOptions{})
			return withHeader(r, "Signature", strings.Replace(r.Header.Get("Signature"), "rsa-sha256", "hmac-sha256", 1))
		}},
		{name: "not signed", want: ErrNotSigned, req: func(t *testing.T) *http.Request {
			r := post(t, SignOptions{})
			r.Header.Del("Signature")
			return withHeader(r, "Authorization", "Bearer abc")
		}},
		{name: "two Signature headers", want: ErrMalformed, req: func(t *testing.T) *http.Request {
			r := post(t, SignOptions{})
			r.Header.Add("Signature", r.Header.Get("Signature"))
			return r
		}},
		{name: "body larger than the bound", want: ErrBodyTooLarge, maxBody: 16, req: func(t *testing.T) *http.Request {
			return post(t, SignOptions{})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &key.PublicKey
			if tt.lookupOf != nil {
				pub = &tt.lookupOf.PublicKey
			}
			v := Verifier{MaxBody: tt.maxBody}
			keyID, err := v.Verify(tt.req(t), fixedKey(pub))
			if keyID != "" {
				t.Errorf("keyId %q returned with a refusal", keyID)
			}
			if tt.want == nil {
				var mismatch *KeyMismatchError
				if !errors.As(err, &mismatch) || mismatch.KeyID != actorKeyID {
					t.Fatalf("Verify: %v, want a KeyMismatchError for %q", err, actorKeyID)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
			var mismatch *KeyMismatchError
			if errors.As(err, &mismatch) {
				t.Errorf("a %v is not a key mismatch: the caller must not refetch for it", tt.want)
			}
		})
	}
}

// TestReplay replays a delivery that was accepted: within the skew it
// verifies again (deduplication by activity id is the caller's), past the
// skew it is refused.
func TestReplay(t *testing.T) {
	key, _ := generated(t)
	sent := time.Now()
	r := delivered(t, key, http.MethodPost, "/inbox", `{"type":"Announce"}`, SignOptions{Now: sent})
	at := func(d time.Duration) Verifier {
		return Verifier{Now: func() time.Time { return sent.Add(d) }}
	}
	if _, err := at(time.Second).Verify(r, fixedKey(&key.PublicKey)); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if _, err := at(DefaultMaxSkew+time.Minute).Verify(r, fixedKey(&key.PublicKey)); !errors.Is(err, ErrStale) {
		t.Fatalf("replay an hour later: %v, want ErrStale", err)
	}
	strict := Verifier{MaxSkew: 5 * time.Minute, Now: func() time.Time { return sent.Add(10 * time.Minute) }}
	if _, err := strict.Verify(r, fixedKey(&key.PublicKey)); !errors.Is(err, ErrStale) {
		t.Fatalf("replay past a 5 minute skew: %v, want ErrStale", err)
	}
}

// TestRefetchOnceAfterKeyRotation is the caller's loop the
// KeyMismatchError is for: the cached key is stale, the fresh one works.
func TestRefetchOnceAfterKeyRotation(t *testing.T) {
	newKey, oldKey := generated(t)
	body := `{"type":"Update"}`
	r := delivered(t, newKey, http.MethodPost, "/inbox", body, SignOptions{})

	cached := &oldKey.PublicKey
	lookup := func(context.Context, string) (*rsa.PublicKey, error) { return cached, nil }

	_, err := Verifier{}.Verify(r, lookup)
	var mismatch *KeyMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("with the stale key: %v, want a KeyMismatchError", err)
	}
	cached = &newKey.PublicKey // what refetching mismatch.KeyID brings
	keyID, err := Verifier{}.Verify(r, lookup)
	if err != nil || keyID != actorKeyID {
		t.Fatalf("after one refetch: %q, %v", keyID, err)
	}
	if b, _ := io.ReadAll(r.Body); string(b) != body {
		t.Errorf("handler reads %q after two verifications", b)
	}
}

func TestVerifyLookup(t *testing.T) {
	key, _ := generated(t)
	gone := errors.New("actor is gone")
	tests := []struct {
		name   string
		lookup KeyLookup
		want   error
	}{
		{"lookup fails", func(context.Context, string) (*rsa.PublicKey, error) { return nil, gone }, gone},
		{"lookup returns nothing", func(context.Context, string) (*rsa.PublicKey, error) { return nil, nil }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := delivered(t, key, http.MethodGet, "/accounts/bob", "", SignOptions{})
			_, err := Verifier{}.Verify(r, tt.lookup)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("Verify: %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("no lookup for a stale request", func(t *testing.T) {
		r := delivered(t, key, http.MethodGet, "/accounts/bob", "", SignOptions{Now: time.Now().Add(-3 * time.Hour)})
		_, err := Verifier{}.Verify(r, func(context.Context, string) (*rsa.PublicKey, error) {
			t.Error("key looked up for a stale request")
			return &key.PublicKey, nil
		})
		if !errors.Is(err, ErrStale) {
			t.Errorf("Verify: %v", err)
		}
	})
}

func TestVerifyAuthorizationHeader(t *testing.T) {
	key, _ := generated(t)
	r := delivered(t, key, http.MethodGet, "/accounts/bob", "", SignOptions{})
	r.Header.Set("Authorization", "Signature "+r.Header.Get("Signature"))
	r.Header.Del("Signature")
	if _, err := (Verifier{}).Verify(r, fixedKey(&key.PublicKey)); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyBodyStaysReadableWhenTooLarge(t *testing.T) {
	key, _ := generated(t)
	body := strings.Repeat("x", 100)
	r := delivered(t, key, http.MethodPost, "/inbox", body, SignOptions{})
	if _, err := (Verifier{MaxBody: 10}).Verify(r, fixedKey(&key.PublicKey)); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("Verify: %v", err)
	}
	if b, _ := io.ReadAll(r.Body); !bytes.Equal(b, []byte(body)) {
		t.Errorf("body after refusal: %d bytes", len(b))
	}
}
