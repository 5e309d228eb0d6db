package s3

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"cuttle.video/storage"
)

// deleteBatch is the most keys one DeleteObjects request may name.
const deleteBatch = 1000

// List returns the objects whose keys start with prefix, sorted by key.
// Keys that storage.ValidateKey refuses (the "folder/" markers that web
// consoles create, say) are left out: no Store method could address them.
// ContentType is empty: listings do not report it.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.ObjectInfo, error) {
	if err := storage.ValidatePrefix(prefix); err != nil {
		return nil, fmt.Errorf("s3: list: %w", err)
	}
	var out []storage.ObjectInfo
	err := s.eachPage(ctx, prefix, 0, func(objs []types.Object) error {
		for _, o := range objs {
			key := aws.ToString(o.Key)
			if storage.ValidateKey(key) != nil {
				continue
			}
			out = append(out, storage.ObjectInfo{
				Key:          key,
				Size:         aws.ToInt64(o.Size),
				LastModified: aws.ToTime(o.LastModified).UTC(),
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("s3: list %q: %w", prefix, err)
	}
	// S3 lists in byte order already; some compatible stores do not.
	slices.SortFunc(out, func(a, b storage.ObjectInfo) int { return cmp.Compare(a.Key, b.Key) })
	return out, nil
}

func (s *Store) eachPage(ctx context.Context, prefix string, pageSize int32, fn func([]types.Object) error) error {
	in := &awss3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix}
	if pageSize > 0 {
		in.MaxKeys = &pageSize
	}
	pages := awss3.NewListObjectsV2Paginator(s.client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if err := fn(page.Contents); err != nil {
			return err
		}
	}
	return nil
}

// DeletePrefix removes every object under prefix, one listed page (at most
// 1000 keys, the DeleteObjects limit) at a time. Unlike List it includes
// keys the storage API cannot address, so nothing under prefix survives.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	if err := storage.ValidatePrefix(prefix); err != nil {
		return fmt.Errorf("s3: delete prefix: %w", err)
	}
	err := s.eachPage(ctx, prefix, deleteBatch, func(objs []types.Object) error {
		if len(objs) == 0 {
			return nil
		}
		ids := make([]types.ObjectIdentifier, len(objs))
		for i, o := range objs {
			ids[i] = types.ObjectIdentifier{Key: o.Key}
		}
		out, err := s.client.DeleteObjects(ctx, &awss3.DeleteObjectsInput{
			Bucket: &s.bucket,
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return err
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("%d keys not deleted, first %q: %s: %s",
				len(out.Errors), aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("s3: delete prefix %q: %w", prefix, err)
	}
	return nil
}
