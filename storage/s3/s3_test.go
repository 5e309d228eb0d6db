package s3_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"cuttle.video/storage"
	"cuttle.video/storage/s3"
	"cuttle.video/storage/storagetest"
)

func bucketName() string {
	var b [8]byte
	rand.Read(b[:])
	return "t-" + hex.EncodeToString(b[:])
}

func config(env storagetest.S3Env, bucket string, partSize int64) s3.Config {
	return s3.Config{
		Endpoint:  env.Endpoint,
		Region:    env.Region,
		Bucket:    bucket,
		AccessKey: env.AccessKey,
		SecretKey: env.SecretKey,
		PathStyle: true,
		PartSize:  partSize,
	}
}

// newStore makes a store on a bucket of its own and removes the bucket,
// its objects and any unfinished uploads when the test ends.
func newStore(t *testing.T, env storagetest.S3Env, partSize int64) *s3.Store {
	t.Helper()
	st, err := s3.New(t.Context(), config(env, bucketName(), partSize))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := st.EnsureBucket(t.Context()); err != nil {
		t.Fatalf("EnsureBucket: %v", err)
	}
	t.Cleanup(func() { removeBucket(t, st) })
	return st
}

func removeBucket(t *testing.T, st *s3.Store) {
	// t.Context is already cancelled when cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := st.DeletePrefix(ctx, ""); err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	for _, u := range pendingUploads(t, ctx, st) {
		if _, err := st.Client().AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{
			Bucket: aws.String(st.Bucket()), Key: u.Key, UploadId: u.UploadId,
		}); err != nil {
			t.Errorf("cleanup: abort upload: %v", err)
		}
	}
	if _, err := st.Client().DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String(st.Bucket())}); err != nil {
		t.Errorf("cleanup: delete bucket %s: %v", st.Bucket(), err)
	}
}

type upload struct{ Key, UploadId *string }

func pendingUploads(t *testing.T, ctx context.Context, st *s3.Store) []upload {
	t.Helper()
	out, err := st.Client().ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String(st.Bucket())})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	var ups []upload
	for _, u := range out.Uploads {
		ups = append(ups, upload{u.Key, u.UploadId})
	}
	return ups
}

func TestContract(t *testing.T) {
	env := storagetest.S3FromEnv(t)
	// The smallest part size S3 allows, so the 40 MiB object of the
	// contract goes through a multipart upload of several parts.
	var skips []storagetest.Skip
	if resolvesDotSegments(t, newStore(t, env, 0)) {
		skips = append(skips, storagetest.Skip{Name: "GrantDotSegments",
			Why: "this S3 service resolves '..' in object keys, so a POST policy's key prefix does not confine writes on it"})
	}
	storagetest.Run(t, func(t *testing.T) storage.Store { return newStore(t, env, s3.MinPartSize) }, skips...)
}

// resolvesDotSegments tells whether the service resolves ".." in keys.
func resolvesDotSegments(t *testing.T, st *s3.Store) bool {
	t.Helper()
	literal, err := st.KeysLiteral(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return !literal
}

// A presigned download makes the browser save the object under the name
// asked for, and still answers ranges.
func TestPresignDownload(t *testing.T) {
	env := storagetest.S3FromEnv(t)
	st := newStore(t, env, 0)
	data := []byte("fragmented mp4 bytes")
	if err := st.Put(t.Context(), "videos/v/f.mp4", bytes.NewReader(data), int64(len(data)), "video/mp4"); err != nil {
		t.Fatal(err)
	}
	u, err := st.PresignDownload(t.Context(), "videos/v/f.mp4", time.Minute, "My video: 720p.mp4")
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	_, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, data) || err != nil || params["filename"] != "My video: 720p.mp4" {
		t.Fatalf("GET %s: %d %q, %q", u, res.StatusCode, res.Header.Get("Content-Disposition"), body)
	}
}

func TestEnsureBucketIsIdempotent(t *testing.T) {
	env := storagetest.S3FromEnv(t)
	st := newStore(t, env, 0)
	for range 2 {
		if err := st.EnsureBucket(t.Context()); err != nil {
			t.Fatalf("EnsureBucket on an existing bucket: %v", err)
		}
	}
}

func TestCancelledUploadIsAborted(t *testing.T) {
	env := storagetest.S3FromEnv(t)
	st := newStore(t, env, s3.MinPartSize)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Cancel once two parts have been handed over, so the multipart
	// upload exists on the service when the cancellation hits.
	src := &cancelAfter{left: 3 * s3.MinPartSize, cancel: cancel}
	if err := st.Put(ctx, "big/cancelled.mp4", src, -1, ""); err == nil {
		t.Fatal("cancelled Put succeeded")
	}
	if ups := pendingUploads(t, t.Context(), st); len(ups) != 0 {
		t.Fatalf("%d multipart uploads left behind", len(ups))
	}
	if _, err := st.Stat(t.Context(), "big/cancelled.mp4"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Stat = %v, want ErrNotFound", err)
	}
}

// cancelAfter produces zeros forever and cancels after left bytes.
type cancelAfter struct {
	left   int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	clear(p)
	c.left -= int64(len(p))
	if c.left < 0 {
		c.cancel()
	}
	return len(p), nil
}

func TestFolderMarkers(t *testing.T) {
	env := storagetest.S3FromEnv(t)
	st := newStore(t, env, 0)
	ctx := t.Context()
	// Web consoles create "folder/" objects; they are not addressable keys.
	if _, err := st.Client().PutObject(ctx, &awss3.PutObjectInput{
		Bucket: aws.String(st.Bucket()), Key: aws.String("videos/"), Body: strings.NewReader(""),
	}); err != nil {
		t.Fatalf("PutObject folder marker: %v", err)
	}
	if err := st.Put(ctx, "videos/a.mp4", strings.NewReader("abc"), 3, ""); err != nil {
		t.Fatal(err)
	}
	objs, err := st.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != "videos/a.mp4" {
		t.Fatalf("List = %+v", objs)
	}
	if err := st.DeletePrefix(ctx, "videos/"); err != nil {
		t.Fatal(err)
	}
	out, err := st.Client().ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(st.Bucket())})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 0 {
		t.Fatalf("%d objects survived DeletePrefix", len(out.Contents))
	}
}

func TestDeletePrefixBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("many objects skipped in -short mode")
	}
	env := storagetest.S3FromEnv(t)
	st := newStore(t, env, 0)
	ctx := t.Context()
	// More than one DeleteObjects batch of 1000.
	const n = 1100
	for i := range n {
		key := fmt.Sprintf("hls/%04d.m4s", i)
		if err := st.Put(ctx, key, strings.NewReader("x"), 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Put(ctx, "keep/me.json", strings.NewReader("{}"), 2, ""); err != nil {
		t.Fatal(err)
	}
	objs, err := st.List(ctx, "hls/")
	if err != nil || len(objs) != n {
		t.Fatalf("List = %d objects, %v; want %d", len(objs), err, n)
	}
	if err := st.DeletePrefix(ctx, "hls/"); err != nil {
		t.Fatalf("DeletePrefix: %v", err)
	}
	objs, err = st.List(ctx, "")
	if err != nil || len(objs) != 1 || objs[0].Key != "keep/me.json" {
		t.Fatalf("after DeletePrefix: %+v, %v", objs, err)
	}
}
