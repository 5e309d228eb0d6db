package s3

import (
	"context"
	"fmt"
	"mime"
	"time"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"cuttle.video/storage"
)

// maxPresignTTL is the longest validity Signature Version 4 allows.
const maxPresignTTL = 7 * 24 * time.Hour

// PresignGet returns a URL that reads the object (Range requests included)
// until ttl has passed.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := checkPresign(key, ttl); err != nil {
		return "", fmt.Errorf("s3: presign get: %w", err)
	}
	req, err := s.presigner.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: &s.bucket, Key: &key},
		awss3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("s3: presign get %q: %w", key, err)
	}
	return req.URL, nil
}

// PresignDownload is PresignGet for a URL whose answer makes browsers save
// the object as filename: S3 sends the Content-Disposition the signed
// query asks for.
func (s *Store) PresignDownload(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	if err := checkPresign(key, ttl); err != nil {
		return "", fmt.Errorf("s3: presign download: %w", err)
	}
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": filename})
	req, err := s.presigner.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: &s.bucket, Key: &key,
		ResponseContentDisposition: &disposition}, awss3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("s3: presign download %q: %w", key, err)
	}
	return req.URL, nil
}

func checkPresign(key string, ttl time.Duration) error {
	if err := storage.ValidateKey(key); err != nil {
		return err
	}
	if ttl < time.Second || ttl > maxPresignTTL {
		return fmt.Errorf("ttl %v for %q is outside [1s, %v]", ttl, key, maxPresignTTL)
	}
	return nil
}

// PublicURL returns PublicBaseURL + "/" + key (escaped) when a public base
// URL is configured.
func (s *Store) PublicURL(key string) (string, bool) {
	if s.publicBase == "" || storage.ValidateKey(key) != nil {
		return "", false
	}
	return s.publicBase + "/" + storage.EscapeKey(key), true
}
