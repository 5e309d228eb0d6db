package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"testing"
	"time"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/media/mediatest"
	"cuttle.video/storage"
	"cuttle.video/storage/s3"
	"cuttle.video/storage/storagetest"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/probe"
)

// maxPayloadBytes is far above what a grant takes on either backend and
// far below the megabytes that one URL per predicted segment took.
const maxPayloadBytes = 16 << 10

// segmentNameRE finds any per-segment name in a payload.
var segmentNameRE = regexp.MustCompile(`-[0-9]{5}\.m4s`)

// The queued job of a 12-hour 1080p upload, the longest allowed by
// default, is a few kilobytes on every backend: the worker writes its
// segments through a grant instead of one presigned URL each.
func TestLongVideoPayloadStaysSmall(t *testing.T) {
	pr := probe.Result{Format: "mov,mp4,m4a,3gp,3g2,mj2", Duration: 12 * 3600, Packets: 12 * 3600 * 40,
		Video: &probe.Video{Codec: "h264", Width: 1920, Height: 1080, FPS: 30},
		Audio: &probe.Audio{Codec: "aac", Channels: 2, SampleRate: 48000}}
	raw, err := json.Marshal(pr)
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, st storage.Store) {
		db, _, v := mediatest.Video(t, database.PrivacyPublic)
		v.OriginalKey, v.OriginalProbe = media.OriginalPrefix(v.UUID)+"source.mp4", string(raw)
		s := New(Config{SegmentSeconds: 4, URLTTL: 6 * time.Hour, TimeLimitFactor: 4}, db, nil, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
		built, err := vodHLSKind{}.payload(t.Context(), s, v, media.StagingPrefix(v.UUID, "job-1"))
		if err != nil {
			t.Fatal(err)
		}
		p := built.(*job.VODHLSPayload)
		if len(p.Renditions) < 4 {
			t.Fatalf("a 1080p original got only %d renditions", len(p.Renditions))
		}
		j, err := job.New("job-1", job.VODHLS, v.UUID, p)
		if err != nil {
			t.Fatal(err)
		}
		wire, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("job of a 12 h video with %d renditions: %d bytes", len(p.Renditions), len(wire))
		if len(wire) > maxPayloadBytes {
			t.Errorf("the job takes %d bytes, more than %d", len(wire), maxPayloadBytes)
		}
		if m := segmentNameRE.Find(wire); m != nil {
			t.Errorf("the job names segment %s: it presigns per segment", m)
		}
	}
	t.Run("local", func(t *testing.T) {
		_, st, _ := mediatest.Video(t, database.PrivacyPublic)
		check(t, st)
	})
	t.Run("s3", func(t *testing.T) {
		check(t, s3Store(t))
	})
}

// s3Store is a store on a bucket of its own on the test S3 service,
// removed when the test ends.
func s3Store(t *testing.T) storage.Store {
	env := storagetest.S3FromEnv(t)
	var b [8]byte
	rand.Read(b[:])
	st, err := s3.New(t.Context(), s3.Config{Endpoint: env.Endpoint, Region: env.Region, Bucket: "t-" + hex.EncodeToString(b[:]),
		AccessKey: env.AccessKey, SecretKey: env.SecretKey, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		bucket := st.Bucket()
		if _, err := st.Client().DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: &bucket}); err != nil {
			t.Errorf("remove bucket: %v", err)
		}
	})
	return st
}
