package s3

import (
	"context"
	"errors"
	"fmt"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"cuttle.video/storage"
)

var _ storage.Mover = (*Store)(nil)

// maxCopySize is the largest object one CopyObject request may copy;
// larger ones go through the generic Get and Put.
const maxCopySize = 5 << 30

// MoveObject copies the object inside the bucket (the service copies the
// bytes; none pass through this process), then deletes the source.
func (s *Store) MoveObject(ctx context.Context, from, to string) error {
	if err := storage.ValidateKey(from); err != nil {
		return fmt.Errorf("s3: move: %w", err)
	}
	if err := storage.ValidateKey(to); err != nil {
		return fmt.Errorf("s3: move: %w", err)
	}
	info, err := s.Stat(ctx, from)
	if err != nil {
		return fmt.Errorf("s3: move: %w", err)
	}
	if info.Size > maxCopySize {
		return s.moveByStream(ctx, from, to, info)
	}
	src := s.bucket + "/" + storage.EscapeKey(from)
	_, err = s.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: &s.bucket, Key: &to, CopySource: &src})
	if err != nil {
		return fmt.Errorf("s3: move %q: %w", from, classify(err))
	}
	if err := s.Delete(ctx, from); err != nil {
		return fmt.Errorf("s3: move %q: %w", from, err)
	}
	return nil
}

func (s *Store) moveByStream(ctx context.Context, from, to string, info storage.ObjectInfo) error {
	r, _, err := s.Get(ctx, from, nil)
	if err != nil {
		return fmt.Errorf("s3: move: %w", err)
	}
	err = s.Put(ctx, to, r, info.Size, info.ContentType)
	err = errors.Join(err, r.Close())
	if err != nil {
		return fmt.Errorf("s3: move %q: %w", from, err)
	}
	return s.Delete(ctx, from)
}
