package httpsig

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The headers PeerTube signs (HEADERS_TO_SIGN_WITH_PAYLOAD and
// HEADERS_TO_SIGN_WITHOUT_PAYLOAD). They are also what PeerTube and
// Mastodon require of us, so signing more would only add ways to fail.
var (
	postHeaders = []string{RequestTarget, "host", "date", "digest"}
	getHeaders  = []string{RequestTarget, "host", "date"}
)

// SignOptions tune Sign; the zero value signs as PeerTube does.
type SignOptions struct {
	// Headers to sign, in order. Empty means `(request-target) host date
	// digest` for a request with a body or a POST, `(request-target) host
	// date` otherwise.
	Headers []string
	// Algorithm is written in the header: rsa-sha256 (the default, what
	// PeerTube and Mastodon send) or hs2019. Both sign with RSA-SHA256.
	Algorithm string
	// Now is the signing time, for Date and (created); zero means now.
	Now time.Time
	// Expires is how long after Now the signature expires; required when
	// Headers includes (expires), otherwise unused.
	Expires time.Duration
}

// Sign adds a Signature header to r, signed by key and naming keyID
// (an actor's `{actor}#main-key`). It sets Date when absent, and Digest
// (SHA-256 of the body) when absent and there is a body or digest is
// signed; the body stays readable for the transport, and GetBody is set so
// redirects can resend it.
func Sign(r *http.Request, key *rsa.PrivateKey, keyID string, opts SignOptions) error {
	if key == nil {
		return errors.New("httpsig: sign: no key")
	}
	if keyID == "" || strings.ContainsAny(keyID, "\"\\\r\n") {
		return fmt.Errorf("httpsig: sign: keyId %q cannot be sent", keyID)
	}
	alg := opts.Algorithm
	switch alg {
	case "":
		alg = AlgorithmRSASHA256
	case AlgorithmRSASHA256, AlgorithmHS2019:
	default:
		return fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}

	headers := opts.Headers
	if len(headers) == 0 {
		headers = getHeaders
		if r.Method == http.MethodPost || hasBody(r) {
			headers = postHeaders
		}
	}
	headers, err := parseHeaderList(strings.Join(headers, " "))
	if err != nil {
		return err
	}

	// Date and Digest go on whether signed or not: receivers check a
	// Digest whenever one is present, and log or bound by Date.
	if r.Header.Get("Date") == "" {
		r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	}
	if r.Header.Get("Digest") == "" && (hasBody(r) || slices.Contains(headers, "digest")) {
		if err := setDigest(r); err != nil {
			return fmt.Errorf("httpsig: sign: %w", err)
		}
	}
	var created, expires int64
	for _, h := range headers {
		switch h {
		case Created:
			created = now.Unix()
		case Expires:
			if opts.Expires <= 0 {
				return errors.New("httpsig: sign: (expires) signed without SignOptions.Expires")
			}
			expires = now.Add(opts.Expires).Unix()
		}
	}

	s, err := signingString(r, headers, created, expires)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return fmt.Errorf("httpsig: sign: %w", err)
	}

	var b strings.Builder
	fmt.Fprintf(&b, `keyId="%s",algorithm="%s"`, keyID, alg)
	if created != 0 {
		b.WriteString(",created=" + strconv.FormatInt(created, 10))
	}
	if expires != 0 {
		b.WriteString(",expires=" + strconv.FormatInt(expires, 10))
	}
	fmt.Fprintf(&b, `,headers="%s",signature="%s"`, strings.Join(headers, " "), base64.StdEncoding.EncodeToString(sig))
	r.Header.Set("Signature", b.String())
	return nil
}

func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody
}

// setDigest reads the body to hash it and puts it back. Our own outgoing
// bodies are activities we built in memory, so reading them whole is fine.
func setDigest(r *http.Request) error {
	var body []byte
	if hasBody(r) {
		var err error
		body, err = io.ReadAll(r.Body)
		if closeErr := r.Body.Close(); err == nil {
			err = closeErr
		}
		if err != nil {
			return fmt.Errorf("read body for digest: %w", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(body)), nil
		}
		r.ContentLength = int64(len(body))
	}
	r.Header.Set("Digest", digestValue(body))
	return nil
}

func digestValue(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}
