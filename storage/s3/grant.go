package s3

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"cuttle.video/storage"
)

// GrantPut returns one POST policy per content type: each lets its holder
// write keys that start with prefix, of at most maxBytes, with exactly
// that type. S3 checks all three and the expiry and signature itself.
func (s *Store) GrantPut(ctx context.Context, prefix string, contentTypes []string, ttl time.Duration, maxBytes int64) (storage.Grant, error) {
	if err := storage.CheckGrant(prefix, contentTypes, ttl, maxBytes); err != nil {
		return storage.Grant{}, fmt.Errorf("s3: grant: %w", err)
	}
	if ttl < time.Second || ttl > maxPresignTTL {
		return storage.Grant{}, fmt.Errorf("s3: grant: ttl %v for %q is outside [1s, %v]", ttl, prefix, maxPresignTTL)
	}
	g := storage.Grant{Prefix: prefix, Expires: time.Now().Add(ttl).UTC().Truncate(time.Second), MaxBytes: maxBytes}
	for _, ct := range slices.Compact(slices.Sorted(slices.Values(contentTypes))) {
		req, err := s.presigner.PresignPostObject(ctx, &awss3.PutObjectInput{Bucket: &s.bucket, Key: &prefix},
			func(o *awss3.PresignPostOptions) {
				o.Expires = ttl
				o.Conditions = []any{
					[]any{"starts-with", "$key", prefix},
					[]any{"content-length-range", 0, maxBytes},
					map[string]string{"Content-Type": ct},
				}
			})
		if err != nil {
			return storage.Grant{}, fmt.Errorf("s3: grant %q for %s: %w", prefix, ct, err)
		}
		fields := maps.Clone(req.Values)
		// The writer names each object; the policy bounds its start.
		delete(fields, "key")
		g.Forms = append(g.Forms, storage.PostForm{URL: req.URL, ContentType: ct, Fields: fields})
	}
	return g, nil
}

// KeysLiteral tells whether the service stores a key holding ".."
// elements under that literal key. Services that map keys to file paths
// may resolve them instead, and then a POST policy's key prefix does not
// confine a grant's writes. It writes two small probe objects and removes
// them.
func (s *Store) KeysLiteral(ctx context.Context) (bool, error) {
	dir := "cuttle-probe/" + strconv.FormatInt(time.Now().UnixNano(), 36) + "/"
	key, resolved := dir+"a/../b.json", dir+"b.json"
	if _, err := s.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: &s.bucket, Key: &key,
		Body: strings.NewReader("{}")}); err != nil {
		// Refused: nothing was written anywhere.
		return true, nil
	}
	_, err := s.Stat(ctx, resolved)
	for _, k := range []string{key, resolved} {
		_, _ = s.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: &s.bucket, Key: &k})
	}
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, storage.ErrNotFound):
		return true, nil
	default:
		return false, fmt.Errorf("s3: probe keys: %w", err)
	}
}
