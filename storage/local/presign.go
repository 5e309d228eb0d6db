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
	return s.presign(ctx, http.MethodGet, key, ttl)
}

// PresignPut returns a URL, served by Handler, that writes the object with
// an HTTP PUT until ttl has passed.
func (s *Store) PresignPut(ctx context.Context, key string, ttl time.Duration) (string, error) {
	return s.presign(ctx, http.MethodPut, key, ttl)
}

func (s *Store) presign(ctx context.Context, method, key string, ttl time.Duration) (string, error) {
	if err := checkKey(key); err != nil {
		return "", fmt.Errorf("local: presign %s: %w", method, err)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("local: presign %s %q: %w", method, key, err)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("local: presign %s %q: ttl must be positive, got %v", method, key, ttl)
	}
	expires := expiry(ttl)
	q := url.Values{
		"expires": {strconv.FormatInt(expires, 10)},
		"sig":     {hex.EncodeToString(s.sign(method, key, expires))},
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

// sign binds the method into the MAC so a URL handed out for reading
// cannot be replayed to overwrite the object.
func (s *Store) sign(method, key string, expires int64) []byte {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "%s\n%s\n%d", method, key, expires)
	return m.Sum(nil)
}

// verify checks a request's signature (in constant time) before its expiry
// so that a forged URL learns nothing from the answer.
func (s *Store) verify(method, key string, q url.Values) error {
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil {
		return errBadSignature
	}
	got, err := hex.DecodeString(q.Get("sig"))
	if err != nil || !hmac.Equal(got, s.sign(method, key, expires)) {
		return errBadSignature
	}
	if now().Unix() > expires {
		return errExpired
	}
	return nil
}
