package servertest

import (
	"context"
	"testing"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"cuttle.video/server/config"
	"cuttle.video/storage/s3"
	"cuttle.video/storage/storagetest"
)

// S3 configures media storage on the harness's S3 server, in a bucket of
// the test's own that is emptied and removed when the test ends. It
// returns the tweak for Start and a client of that bucket.
func S3(t *testing.T) (func(*config.Config), *s3.Store) {
	t.Helper()
	env := storagetest.S3FromEnv(t)
	cfg := config.S3{
		Endpoint: env.Endpoint, Region: env.Region, Bucket: NewName("media-"),
		AccessKey: env.AccessKey, SecretKey: env.SecretKey, PathStyle: true,
	}
	st, err := s3.New(context.Background(), s3.Config{
		Endpoint: cfg.Endpoint, Region: cfg.Region, Bucket: cfg.Bucket,
		AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey, PathStyle: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if err := st.DeletePrefix(ctx, ""); err != nil {
			t.Errorf("empty test bucket: %v", err)
		}
		if _, err := st.Client().DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: &cfg.Bucket}); err != nil {
			t.Errorf("remove test bucket: %v", err)
		}
	})
	return func(c *config.Config) { c.S3 = cfg }, st
}
