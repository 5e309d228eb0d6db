package httpsig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// DefaultMaxSkew is how far Date or (created) may be from our clock.
// Current Mastodon accepts a Date from about an hour ahead to an hour and
// five minutes behind, PeerTube 30 minutes either way: an hour admits
// every sender those two admit, and bounds a replay to an hour where
// older Mastodon's 12 hours would give a captured delivery half a day.
const DefaultMaxSkew = time.Hour

// DefaultMaxBody bounds the body read to check its Digest. Activities,
// even a Video with all its files, are tens of kilobytes.
const DefaultMaxBody = 1 << 20

// KeyLookup returns the public key keyID names, fetching the actor if it
// must. Its error is returned wrapped by Verify.
type KeyLookup func(ctx context.Context, keyID string) (*rsa.PublicKey, error)

// Verifier checks the HTTP Signatures of incoming requests. The zero value
// uses the defaults.
type Verifier struct {
	// MaxSkew bounds |now - Date| and |now - (created)|; 0 means
	// DefaultMaxSkew.
	MaxSkew time.Duration
	// MaxBody bounds the body read for its Digest; 0 means DefaultMaxBody.
	MaxBody int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verify checks r's signature and returns the keyId that verified it.
//
// It requires `(request-target)`, `host` and `date` or `(created)` to be
// signed, and `digest` as well for any method but GET and HEAD, as
// PeerTube and Mastodon do. The time and Digest are checked before the
// key is looked up, so a stale or altered request costs no fetch. The body
// is read (up to MaxBody) and left readable for the handler.
//
// When the signature does not match the key lookup returned, the error is
// a *KeyMismatchError: refetch that key and call Verify once more.
func (v Verifier) Verify(r *http.Request, lookup KeyLookup) (string, error) {
	header, err := signatureHeader(r.Header)
	if err != nil {
		return "", err
	}
	p, err := Parse(header)
	if err != nil {
		return "", err
	}
	if err := requireCoverage(r.Method, p.Headers); err != nil {
		return "", err
	}
	if err := v.checkTime(r, p); err != nil {
		return "", err
	}
	if err := v.checkDigest(r, p.Headers); err != nil {
		return "", err
	}
	s, err := signingString(r, p.Headers, p.Created, p.Expires)
	if err != nil {
		return "", err
	}

	key, err := lookup(r.Context(), p.KeyID)
	if err != nil {
		return "", fmt.Errorf("httpsig: key %q: %w", p.KeyID, err)
	}
	if key == nil {
		return "", fmt.Errorf("httpsig: key %q: lookup returned no key", p.KeyID)
	}
	sum := sha256.Sum256([]byte(s))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], p.Signature); err != nil {
		return "", &KeyMismatchError{KeyID: p.KeyID}
	}
	return p.KeyID, nil
}

// signatureHeader finds the one signature a request carries. Two would
// leave open which one the receiver and a proxy in front of it checked.
func signatureHeader(h http.Header) (string, error) {
	if values := h.Values("Signature"); len(values) > 1 {
		return "", fmt.Errorf("%w: %d Signature headers", ErrMalformed, len(values))
	} else if len(values) == 1 {
		return values[0], nil
	}
	var found []string
	for _, v := range h.Values("Authorization") {
		scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		if strings.EqualFold(scheme, "Signature") {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 0:
		return "", ErrNotSigned
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%w: %d Authorization headers of the Signature scheme", ErrMalformed, len(found))
}

func requireCoverage(method string, headers []string) error {
	signed := make(map[string]bool, len(headers))
	for _, h := range headers {
		signed[h] = true
	}
	for _, h := range []string{RequestTarget, "host"} {
		if !signed[h] {
			return fmt.Errorf("%w: %s", ErrInsufficientCoverage, h)
		}
	}
	if !signed["date"] && !signed[Created] {
		return fmt.Errorf("%w: date or (created)", ErrInsufficientCoverage)
	}
	if method != http.MethodGet && method != http.MethodHead && !signed["digest"] {
		return fmt.Errorf("%w: digest, on a %s", ErrInsufficientCoverage, method)
	}
	return nil
}

// checkTime checks every signed time: Date and (created) within the skew
// of our clock, and (expires) not passed. (expires) gets no margin, as the
// draft says: a margin as wide as the skew would let it never bite while
// Date or (created) is fresh, and neither PeerTube nor Mastodon sends it.
func (v Verifier) checkTime(r *http.Request, p Params) error {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	within := func(name string, t time.Time) error {
		if d := now.Sub(t); d > skew || d < -skew {
			return fmt.Errorf("%w: %s is %s from now, more than %s", ErrStale, name, d.Round(time.Second), skew)
		}
		return nil
	}
	for _, h := range p.Headers {
		switch h {
		case "date":
			value := r.Header.Get("Date")
			if value == "" {
				return fmt.Errorf("%w: date", ErrMissingHeader)
			}
			t, err := http.ParseTime(value)
			if err != nil {
				return fmt.Errorf("%w: Date %.40q cannot be read", ErrStale, value)
			}
			if err := within("Date", t); err != nil {
				return err
			}
		case Created:
			if p.Created == 0 {
				return fmt.Errorf("%w: (created) signed without a created parameter", ErrMissingHeader)
			}
			if err := within("(created)", time.Unix(p.Created, 0)); err != nil {
				return err
			}
		case Expires:
			if p.Expires == 0 {
				return fmt.Errorf("%w: (expires) signed without an expires parameter", ErrMissingHeader)
			}
			if late := now.Sub(time.Unix(p.Expires, 0)); late > 0 {
				return fmt.Errorf("%w: expired %s ago", ErrStale, late.Round(time.Second))
			}
		}
	}
	return nil
}

// checkDigest checks the Digest header against the body when digest is
// signed or the header is present at all: an unsigned but wrong Digest
// still says the body is not what the sender meant. Only SHA-256 counts,
// as for Mastodon; every SHA-256 entry must match and there must be one.
func (v Verifier) checkDigest(r *http.Request, headers []string) error {
	values := r.Header.Values("Digest")
	if len(values) == 0 {
		if slices.Contains(headers, "digest") {
			return fmt.Errorf("%w: no Digest header", ErrDigest)
		}
		return nil
	}

	body, err := v.readBody(r)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	matched := false
	for _, entry := range strings.Split(strings.Join(values, ","), ",") {
		alg, value, ok := strings.Cut(strings.TrimSpace(entry), "=")
		if !ok {
			return fmt.Errorf("%w: Digest entry %.40q has no value", ErrDigest, entry)
		}
		if !strings.EqualFold(alg, "SHA-256") {
			continue
		}
		want, err := base64.StdEncoding.Strict().DecodeString(value)
		if err != nil || len(want) != sha256.Size {
			return fmt.Errorf("%w: SHA-256 digest %.60q is not 32 bytes of base64", ErrDigest, value)
		}
		if subtle.ConstantTimeCompare(want, sum[:]) != 1 {
			return fmt.Errorf("%w: SHA-256 digest does not match the body", ErrDigest)
		}
		matched = true
	}
	if !matched {
		return fmt.Errorf("%w: no SHA-256 digest", ErrDigest)
	}
	return nil
}

// readBody reads the body whole, up to MaxBody, and puts it back so the
// handler reads the same bytes; closing it still closes the original.
func (v Verifier) readBody(r *http.Request) ([]byte, error) {
	if !hasBody(r) {
		return nil, nil
	}
	limit := v.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	orig := r.Body
	body, err := io.ReadAll(io.LimitReader(orig, limit+1))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(body), orig), orig}
	if err != nil {
		return nil, fmt.Errorf("httpsig: read body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
	}
	return body, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
