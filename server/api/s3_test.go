package api_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"testing"

	"cuttle.video/server/servertest"
	"cuttle.video/storage"
)

// The scaled-out setup: PostgreSQL and media on S3.
func TestUploadsToS3(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		tweak, bucket := servertest.S3(t)
		s := servertest.Start(t, b, tweak)
		user := s.NewUser(t, 2, -1)
		clipPath := servertest.Clip(t)
		data := readFile(t, clipPath)
		total := int64(len(data))
		ctx := context.Background()

		legacy := user.UploadVideo(clipPath, "Legacy to S3", 1)
		loc := user.InitUpload(total, map[string]any{"name": "Resumable to S3", "channelId": user.Channel(), "filename": "clip.mp4"}).
			Expect(http.StatusCreated).Header.Get("Location")
		user.PutChunk(loc, 0, data[:total/2], total).Expect(http.StatusPermanentRedirect)
		var resumable servertest.UploadedVideo
		user.PutChunk(loc, total/2, data[total/2:], total).Expect(http.StatusOK).JSON(&resumable)

		for _, id := range []string{legacy.Video.UUID, resumable.Video.UUID} {
			key := "originals/" + id + "/original.mp4"
			r, info, err := bucket.Get(ctx, key, nil)
			if err != nil {
				t.Fatalf("original of %s not in the bucket: %v", id, err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || sha256.Sum256(got) != sha256.Sum256(data) || info.Size != total {
				t.Fatalf("original of %s differs from the upload (%d bytes, %v)", id, len(got), err)
			}
		}
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("uploads directory keeps %v", files)
		}
		user.Do("DELETE", "/api/v1/videos/"+legacy.Video.UUID, nil).Expect(http.StatusNoContent)
		if _, err := bucket.Stat(ctx, "originals/"+legacy.Video.UUID+"/original.mp4"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("a deleted video's original is still in the bucket: %v", err)
		}
	})
}
