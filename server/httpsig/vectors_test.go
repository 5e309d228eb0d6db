package httpsig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The test key, request and signatures of draft-cavage-http-signatures
// (draft-12) Appendix C. The key is 1024 bits, as the draft has it.
const (
	testPublicPEM = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
`
	testPrivatePEM = `-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
`
	vectorDate   = "Sun, 05 Jan 2014 21:31:40 GMT"
	vectorBody   = `{"hello": "world"}`
	vectorDigest = "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="

	sigC1 = "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM="
	sigC2 = "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="
	sigC3 = "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="
	// Signatures in PeerTube's exact header profile over the same key and
	// Date: a shared-inbox POST and a signed fetch.
	sigPTPost = "QSdla5+9GQulxCI8elLItRmoT4NUZLQMD4iI8bRF9iZo5cCN0isnJos/kbzzPQmdolczj4qV6ZhF0sCfUep9UlFYHDHGYYMKmndhFd8q79mKRVdrAa6VOEwmV9W/LJCQ+plocv/6kXY2o5U7DoZAorrIwa7iOghuoUFHFtXuFKE="
	sigPTGet  = "CQJWJvL1nW04UnVNdL4f16BPcWl7Pu1TIuD15uFUAm6PxurOs3/fdLEvsrGyGRhXXMC2jKSnNzIpIJEhuvmARJgVUQGnaE3zDhxB+cnbr4Xx9ggRvClj3QW4jyxcCR/6PXgD+q8e36IIxcvvXhblGqX1o9v/sY8GyFS+qeJscIo="
	// The draft's C.3 header list with (created) and (expires), whose
	// published signature is over the list without them; this one is over
	// the list as written (RSA PKCS#1 v1.5 is deterministic).
	sigC3Created = "nAkCW0wg9AbbStQRLi8fsS1mPPnA6S5+/0alANcoDFG9hG0bJ8NnMRcB1Sz1eccNMzzLEke7nGXqoiJYZFfT81oaRqh/MNFwQVX4OZvTLZ5xVZQuchRkOSO7b2QX0aFWFOUq6dnwAyliHrp6w3FOxwkGGJPaerw2lOYLdC/Bejk="

	ptKeyID = "https://example.com/accounts/test#main-key"
)

func testKeys(t *testing.T) (*rsa.PrivateKey, *rsa.PublicKey) {
	t.Helper()
	priv, err := ParsePrivateKeyPEM(testPrivatePEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKeyPEM(testPublicPEM)
	if err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

func vectorTime(t *testing.T) time.Time {
	t.Helper()
	now, err := http.ParseTime(vectorDate)
	if err != nil {
		t.Fatal(err)
	}
	return now
}

// vectorClient is the draft's test request as a client builds it.
func vectorClient(t *testing.T, method, target string) *http.Request {
	t.Helper()
	var body *bytes.Reader
	if method == http.MethodPost {
		body = bytes.NewReader([]byte(vectorBody))
	}
	var r *http.Request
	var err error
	if body != nil {
		r, err = http.NewRequest(method, "https://example.com"+target, body)
	} else {
		r, err = http.NewRequest(method, "https://example.com"+target, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Date", vectorDate)
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// vectorServer is the same request as a server receives it.
func vectorServer(method, target, signature string) *http.Request {
	var r *http.Request
	if method == http.MethodPost {
		r = httptest.NewRequest(method, target, bytes.NewReader([]byte(vectorBody)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Digest", vectorDigest)
		r.Header.Set("Content-Length", "18")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	r.Host = "example.com"
	r.Header.Set("Date", vectorDate)
	r.Header.Set("Signature", signature)
	return r
}

func fixedKey(pub *rsa.PublicKey) KeyLookup {
	return func(context.Context, string) (*rsa.PublicKey, error) { return pub, nil }
}

func TestSignReproducesVectors(t *testing.T) {
	priv, _ := testKeys(t)
	tests := []struct {
		name, method, target, keyID string
		headers                     []string
		want                        string
	}{
		{"C.1 default", http.MethodPost, "/foo?param=value&pet=dog", "Test", []string{"date"}, sigC1},
		{"C.2 basic", http.MethodPost, "/foo?param=value&pet=dog", "Test", []string{"(request-target)", "host", "date"}, sigC2},
		{"C.3 all headers", http.MethodPost, "/foo?param=value&pet=dog", "Test",
			[]string{"(request-target)", "host", "date", "content-type", "digest", "content-length"}, sigC3},
		{"PeerTube inbox POST", http.MethodPost, "/inbox", ptKeyID, nil, sigPTPost},
		{"PeerTube signed fetch", http.MethodGet, "/accounts/test", ptKeyID, nil, sigPTGet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vectorClient(t, tt.method, tt.target)
			if err := Sign(r, priv, tt.keyID, SignOptions{Headers: tt.headers}); err != nil {
				t.Fatal(err)
			}
			p, err := Parse(r.Header.Get("Signature"))
			if err != nil {
				t.Fatalf("our own header does not parse: %v", err)
			}
			if got := base64.StdEncoding.EncodeToString(p.Signature); got != tt.want {
				t.Errorf("signature\n got %s\nwant %s", got, tt.want)
			}
			if p.KeyID != tt.keyID || p.Algorithm != AlgorithmRSASHA256 {
				t.Errorf("keyId %q algorithm %q", p.KeyID, p.Algorithm)
			}
			if tt.method == http.MethodPost && r.Header.Get("Digest") != vectorDigest {
				t.Errorf("Digest = %q, want %q", r.Header.Get("Digest"), vectorDigest)
			}
		})
	}
}

func TestVerifyAcceptsVectors(t *testing.T) {
	_, pub := testKeys(t)
	v := Verifier{Now: func() time.Time { return vectorTime(t) }}
	tests := []struct {
		name, method, target, header, wantKeyID string
	}{
		{"C.3 all headers", http.MethodPost, "/foo?param=value&pet=dog",
			`keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",signature="` + sigC3 + `"`, "Test"},
		{"PeerTube inbox POST", http.MethodPost, "/inbox",
			`keyId="` + ptKeyID + `",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="` + sigPTPost + `"`, ptKeyID},
		{"PeerTube signed fetch", http.MethodGet, "/accounts/test",
			`keyId="` + ptKeyID + `",algorithm="rsa-sha256",headers="(request-target) host date",signature="` + sigPTGet + `"`, ptKeyID},
		{"hs2019 as Mastodon accepts it", http.MethodGet, "/accounts/test",
			`keyId="` + ptKeyID + `",algorithm="hs2019",headers="(request-target) host date",signature="` + sigPTGet + `"`, ptKeyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyID, err := v.Verify(vectorServer(tt.method, tt.target, tt.header), fixedKey(pub))
			if err != nil {
				t.Fatal(err)
			}
			if keyID != tt.wantKeyID {
				t.Errorf("keyId %q, want %q", keyID, tt.wantKeyID)
			}
		})
	}
}

// C.1 and C.2 are valid signatures that an ActivityPub inbox must still
// refuse: they do not cover the target, or the body.
func TestVectorsC1C2(t *testing.T) {
	_, pub := testKeys(t)
	v := Verifier{Now: func() time.Time { return vectorTime(t) }}
	tests := []struct {
		name, header, sig string
	}{
		{"C.1", `keyId="Test",algorithm="rsa-sha256",signature="` + sigC1 + `"`, sigC1},
		{"C.2", `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="` + sigC2 + `"`, sigC2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vectorServer(http.MethodPost, "/foo?param=value&pet=dog", tt.header)
			p, err := Parse(tt.header)
			if err != nil {
				t.Fatal(err)
			}
			s, err := signingString(r, p.Headers, p.Created, p.Expires)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(s))
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], p.Signature); err != nil {
				t.Errorf("the vector's signature does not verify over our signing string %q: %v", s, err)
			}
			if _, err := v.Verify(r, fixedKey(pub)); !errors.Is(err, ErrInsufficientCoverage) {
				t.Errorf("Verify: %v, want ErrInsufficientCoverage", err)
			}
		})
	}
}

func TestSigningStringExamples(t *testing.T) {
	_, pub := testKeys(t)
	t.Run("draft 2.3, repeated and empty headers", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/foo", nil)
		r.Host = "example.org"
		r.Header.Set("Date", "Tue, 07 Jun 2014 20:51:35 GMT")
		r.Header.Set("X-Example", "Example header with some whitespace.   ")
		r.Header["X-Emptyheader"] = []string{""}
		r.Header.Add("Cache-Control", "max-age=60")
		r.Header.Add("Cache-Control", "must-revalidate")
		got, err := signingString(r, []string{"(request-target)", "(created)", "host", "date", "cache-control", "x-emptyheader", "x-example"}, 1402170695, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := "(request-target): get /foo\n(created): 1402170695\nhost: example.org\ndate: Tue, 07 Jun 2014 20:51:35 GMT\n" +
			"cache-control: max-age=60, must-revalidate\nx-emptyheader: \nx-example: Example header with some whitespace."
		if got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("C.3 with (created) and (expires)", func(t *testing.T) {
		header := `keyId="Test",algorithm="hs2019",created=1402170695,expires=1402170699,` +
			`headers="(request-target) (created) (expires) host date content-type digest content-length",signature="` + sigC3Created + `"`
		r := vectorServer(http.MethodPost, "/foo?param=value&pet=dog", header)
		p, err := Parse(header)
		if err != nil {
			t.Fatal(err)
		}
		s, err := signingString(r, p.Headers, p.Created, p.Expires)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(s))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], p.Signature); err != nil {
			t.Errorf("signature does not verify over %q: %v", s, err)
		}
	})
}
