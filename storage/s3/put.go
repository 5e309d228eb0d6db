package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"cuttle.video/storage"
)

// abortTimeout bounds the clean-up of a failed multipart upload.
const abortTimeout = 30 * time.Second

// Put stores the object. Objects of known size up to the part size go in
// one PutObject; larger or unsized ones in a multipart upload, which S3
// only makes visible when it completes, so a failure leaves no object.
// An empty contentType is derived from the key's extension.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := storage.ValidateKey(key); err != nil {
		return fmt.Errorf("s3: put: %w", err)
	}
	if contentType == "" {
		contentType = storage.ContentTypeFor(key)
	}
	in := &awss3.PutObjectInput{Bucket: &s.bucket, Key: &key, ContentType: &contentType}
	src := &checkedReader{ctx: ctx, r: r, want: size}
	var err error
	if size >= 0 && size <= s.partSize {
		err = s.putSingle(ctx, in, src, size)
	} else {
		err = s.putMultipart(ctx, in, src, size)
	}
	if err != nil {
		return fmt.Errorf("s3: put %q: %w", key, err)
	}
	return nil
}

// putSingle reads the whole body first: the request then has a seekable
// body that the SDK can sign and retry, and a short or long body is caught
// before anything is sent.
func (s *Store) putSingle(ctx context.Context, in *awss3.PutObjectInput, src *checkedReader, size int64) error {
	buf := make([]byte, size)
	if _, err := io.ReadFull(src, buf); err != nil {
		return err
	}
	if _, err := io.ReadFull(src, make([]byte, 1)); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("body is longer than the expected %d bytes", size)
		}
		return err
	}
	in.Body = bytes.NewReader(buf)
	in.ContentLength = aws.Int64(size)
	_, err := s.client.PutObject(ctx, in)
	return classify(err)
}

// putMultipart uses feature/s3/manager: it is deprecated in favour of
// feature/s3/transfermanager, but that successor is still pre-1.0.
func (s *Store) putMultipart(ctx context.Context, in *awss3.PutObjectInput, src *checkedReader, size int64) error {
	in.Body = src
	partSize := s.partSize
	// S3 allows at most 10,000 parts; a big enough known size raises the
	// part size instead of failing at part 10,001.
	if maxParts := int64(manager.MaxUploadParts); size > partSize*maxParts {
		partSize = (size + maxParts - 1) / maxParts
	}
	_, err := s.uploader.Upload(ctx, in, func(u *manager.Uploader) { u.PartSize = partSize })
	if err == nil {
		return nil
	}
	var failure manager.MultiUploadFailure
	if errors.As(err, &failure) && failure.UploadID() != "" {
		if aerr := s.abortUpload(ctx, *in.Key, failure.UploadID()); aerr != nil {
			err = errors.Join(err, aerr)
		}
	}
	return err
}

// abortUpload discards the parts of a failed upload, which S3 otherwise
// keeps (and bills) until a lifecycle rule removes them. It runs on a
// context detached from ctx because the caller's cancellation is the most
// common reason to get here.
func (s *Store) abortUpload(ctx context.Context, key, uploadID string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	_, err := s.client.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{
		Bucket: &s.bucket, Key: &key, UploadId: &uploadID,
	})
	if err != nil {
		return fmt.Errorf("abort multipart upload %s: %w", uploadID, err)
	}
	return nil
}

// checkedReader stops at ctx's cancellation and refuses a body whose length
// differs from the announced one (want < 0: unknown) before its end is
// passed on, so the upload fails instead of completing a wrong object.
type checkedReader struct {
	ctx  context.Context
	r    io.Reader
	want int64
	n    int64
}

func (c *checkedReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if c.want >= 0 {
		if c.n > c.want {
			return 0, c.tooLong()
		}
		// Never read more than one byte past the announced end.
		if room := c.want - c.n + 1; int64(len(p)) > room {
			p = p[:room]
		}
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.want >= 0 && c.n > c.want {
		return n, c.tooLong()
	}
	if err == io.EOF && c.want >= 0 && c.n != c.want {
		return n, fmt.Errorf("body has %d bytes, expected %d", c.n, c.want)
	}
	return n, err
}

func (c *checkedReader) tooLong() error {
	return fmt.Errorf("body is longer than the expected %d bytes", c.want)
}
