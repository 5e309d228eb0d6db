package s3

import (
	"context"
	"fmt"
	"maps"
	"slices"
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
