package local

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cuttle.video/storage"
)

var (
	errBadSignature = errors.New("signature does not match")
	errExpired      = errors.New("URL has expired")
)

// PresignGet returns a URL, served by Handler, that reads the object
// (GET or HEAD) until ttl has passed.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := checkKey(key); err != nil {
		return "", fmt.Errorf("local: presign get: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("local: presign get %q: %w", key, err)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("local: presign get %q: ttl must be positive, got %v", key, ttl)
	}
	expires := expiry(ttl)
	q := url.Values{
		"expires": {strconv.FormatInt(expires, 10)},
		"sig":     {hex.EncodeToString(s.sign(key, expires))},
	}
	return s.baseURL + "/" + storage.EscapeKey(key) + "?" + q.Encode(), nil
}

// expiry is the Unix second a URL valid for ttl expires at, rounded up
// so that it is never valid for less than ttl.
func expiry(ttl time.Duration) int64 {
	deadline := now().Add(ttl)
	expires := deadline.Unix()
	if deadline.Nanosecond() > 0 {
		expires++
	}
	return expires
}

// sign's message starts with the method it allows, as it always has:
// URLs already handed out stay valid, and none can pass for a grant (see
// signGrant).
func (s *Store) sign(key string, expires int64) []byte {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "%s\n%s\n%d", http.MethodGet, key, expires)
	return m.Sum(nil)
}

// verify checks a request's signature (in constant time) before its expiry
// so that a forged URL learns nothing from the answer.
func (s *Store) verify(key string, q url.Values) error {
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil {
		return errBadSignature
	}
	got, err := hex.DecodeString(q.Get("sig"))
	if err != nil || !hmac.Equal(got, s.sign(key, expires)) {
		return errBadSignature
	}
	if now().Unix() > expires {
		return errExpired
	}
	return nil
}
