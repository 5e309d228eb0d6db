package s3

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"cuttle.video/storage"
)

// Get opens the object, or the inclusive byte range rng of it.
func (s *Store) Get(ctx context.Context, key string, rng *storage.Range) (io.ReadCloser, storage.ObjectInfo, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, storage.ObjectInfo{}, fmt.Errorf("s3: get: %w", err)
	}
	in := &awss3.GetObjectInput{Bucket: &s.bucket, Key: &key}
	if rng != nil {
		if rng.Start < 0 || (rng.End >= 0 && rng.End < rng.Start) {
			return nil, storage.ObjectInfo{}, fmt.Errorf("s3: get %q: %w: bytes %d-%d", key, storage.ErrInvalidRange, rng.Start, rng.End)
		}
		h := fmt.Sprintf("bytes=%d-", rng.Start)
		if rng.End >= 0 {
			h += strconv.FormatInt(rng.End, 10)
		}
		in.Range = &h
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		return nil, storage.ObjectInfo{}, fmt.Errorf("s3: get %q: %w", key, classify(err))
	}
	info := storage.ObjectInfo{
		Key:          key,
		Size:         aws.ToInt64(out.ContentLength),
		ContentType:  aws.ToString(out.ContentType),
		LastModified: aws.ToTime(out.LastModified).UTC(),
	}
	if out.ContentRange != nil {
		total, err := totalSize(*out.ContentRange)
		if err != nil {
			out.Body.Close()
			return nil, storage.ObjectInfo{}, fmt.Errorf("s3: get %q: %w", key, err)
		}
		info.Size = total
	} else if rng != nil {
		// The service ignored the Range header and sent the whole object;
		// cut the range out here rather than hand back the wrong bytes.
		body, err := cutRange(out.Body, rng, info.Size)
		if err != nil {
			out.Body.Close()
			return nil, storage.ObjectInfo{}, fmt.Errorf("s3: get %q: %w", key, err)
		}
		return body, info, nil
	}
	return out.Body, info, nil
}

// totalSize reads the object size from a Content-Range such as
// "bytes 0-99/1234".
func totalSize(contentRange string) (int64, error) {
	_, total, ok := strings.Cut(contentRange, "/")
	n, err := strconv.ParseInt(total, 10, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("unexpected Content-Range %q", contentRange)
	}
	return n, nil
}

func cutRange(body io.ReadCloser, rng *storage.Range, size int64) (io.ReadCloser, error) {
	start, end, err := storage.ValidateRange(rng, size)
	if err != nil {
		return nil, err
	}
	if _, err := io.CopyN(io.Discard, body, start); err != nil {
		return nil, fmt.Errorf("skip to range start: %w", err)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(body, end-start+1), body}, nil
}

// Stat describes the object with a HEAD request.
func (s *Store) Stat(ctx context.Context, key string) (storage.ObjectInfo, error) {
	if err := storage.ValidateKey(key); err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("s3: stat: %w", err)
	}
	out, err := s.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("s3: stat %q: %w", key, classify(err))
	}
	return storage.ObjectInfo{
		Key:          key,
		Size:         aws.ToInt64(out.ContentLength),
		ContentType:  aws.ToString(out.ContentType),
		LastModified: aws.ToTime(out.LastModified).UTC(),
	}, nil
}

// Delete removes the object. S3 already treats a missing key as deleted;
// stores that answer 404 instead are brought in line.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return fmt.Errorf("s3: delete: %w", err)
	}
	_, err := s.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		if err = classify(err); err == storage.ErrNotFound {
			return nil
		}
		return fmt.Errorf("s3: delete %q: %w", key, err)
	}
	return nil
}
