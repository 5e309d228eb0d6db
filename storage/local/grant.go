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
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"cuttle.video/storage"
)

// A grant's query: its expiry, largest size and types, and the MAC over
// them and the prefix. The prefix is not in the query: it is the written
// key's directory, since a granted name is one path element.
const (
	grantSigParam   = "grant"
	grantMaxParam   = "max"
	grantTypesParam = "type"
)

// GrantPut returns a grant served by Handler: a PUT to
// Put.URL + name + "?" + Put.Query writes Prefix + name.
func (s *Store) GrantPut(ctx context.Context, prefix string, contentTypes []string, ttl time.Duration, maxBytes int64) (storage.Grant, error) {
	if err := storage.CheckGrant(prefix, contentTypes, ttl, maxBytes); err != nil {
		return storage.Grant{}, fmt.Errorf("local: grant: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return storage.Grant{}, fmt.Errorf("local: grant %q: %w", prefix, err)
	}
	expires := expiry(ttl)
	types := slices.Sorted(slices.Values(contentTypes))
	q := url.Values{
		"expires":       {strconv.FormatInt(expires, 10)},
		grantMaxParam:   {strconv.FormatInt(maxBytes, 10)},
		grantTypesParam: types,
		grantSigParam:   {hex.EncodeToString(s.signGrant(prefix, expires, maxBytes, types))},
	}
	return storage.Grant{
		Prefix:   prefix,
		Expires:  time.Unix(expires, 0).UTC(),
		MaxBytes: maxBytes,
		Put:      &storage.PutGrant{URL: s.baseURL + "/" + storage.EscapeKey(strings.TrimSuffix(prefix, "/")) + "/", Query: q.Encode()},
	}, nil
}

// signGrant's message starts with a word no method is, and quotes its
// strings, so it can be mistaken neither for a per-key signature nor
// for another grant's.
func (s *Store) signGrant(prefix string, expires, maxBytes int64, types []string) []byte {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "GRANT PUT\n%q\n%d\n%d\n%q", prefix, expires, maxBytes, types)
	return m.Sum(nil)
}

// verifyGrant checks a PUT of key through a grant and returns the largest
// size the grant allows. The MAC is compared, in constant time, before
// anything else is looked at.
func (s *Store) verifyGrant(key string, q url.Values) (int64, error) {
	dir, name := path.Split(key)
	expires, err1 := strconv.ParseInt(q.Get("expires"), 10, 64)
	maxBytes, err2 := strconv.ParseInt(q.Get(grantMaxParam), 10, 64)
	got, err3 := hex.DecodeString(q.Get(grantSigParam))
	types := q[grantTypesParam]
	if errors.Join(err1, err2, err3) != nil || dir == "" ||
		!hmac.Equal(got, s.signGrant(dir, expires, maxBytes, types)) {
		return 0, errBadSignature
	}
	if now().Unix() > expires {
		return 0, errExpired
	}
	if err := storage.GrantName(name); err != nil {
		return 0, err
	}
	if ct := storage.ContentTypeFor(name); !slices.Contains(types, ct) {
		return 0, fmt.Errorf("%w: type %s", storage.ErrNotGranted, ct)
	}
	return maxBytes, nil
}

// receiveGranted stores a PUT through a grant that is valid and still
// open, refusing bodies larger than it allows before and while reading
// them.
func (s *Store) receiveGranted(w http.ResponseWriter, r *http.Request, key string) {
	maxBytes, err := s.verifyGrant(key, r.URL.Query())
	if err == nil && s.grantOpen != nil && !s.grantOpen(r.Context(), path.Dir(key)+"/") {
		err = errWithdrawn
	}
	if err != nil {
		refuse(w, err)
		return
	}
	if r.ContentLength > maxBytes {
		writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The object may be at most %d bytes.", maxBytes))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
	s.receive(w, r, key)
}
