package uploads_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/images"
	"cuttle.video/server/jobs"
	"cuttle.video/server/problem"
	"cuttle.video/server/servertest"
	"cuttle.video/server/uploads"
	"cuttle.video/server/videos"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue/memqueue"
)

// env is an uploads processor on a real database and local media, with
// the videos and jobs processors it hands finished files to.
type env struct {
	db      *database.DB
	videos  *videos.Service
	uploads *uploads.Service
	dir     string // the uploads directory
	clip    []byte // a small video that probes and transcodes
}

func newEnv(t *testing.T, b servertest.Backend) *env {
	t.Helper()
	db := servertest.OpenDatabase(t, b)
	st := servertest.LocalMedia(t)
	log := servertest.Quiet()
	q := memqueue.New(memqueue.Config{Logger: log})
	t.Cleanup(func() { q.Close() })
	js := jobs.New(jobs.Config{SegmentSeconds: 4, URLTTL: time.Hour, TimeLimitFactor: 5}, db, q, st, log)
	t.Cleanup(js.Close)
	vs := videos.New(db, st, log, videos.WithFileSecret([]byte("file-secret-for-tests")))
	dir := t.TempDir()
	is, err := images.New(t.TempDir(), db, st, log)
	if err != nil {
		t.Fatal(err)
	}
	us, err := uploads.New(uploads.Config{Dir: dir, MaxFileSize: 1 << 30, MaxDimension: 8192, MaxDuration: time.Hour,
		Expiry: time.Hour}, db, vs, is, js, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(us.Close)
	clip, err := os.ReadFile(servertest.Clip(t))
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, videos: vs, uploads: us, dir: dir, clip: clip}
}

func meta(ch *database.Channel) *videos.Metadata {
	name := "A clip"
	return &videos.Metadata{Name: &name, ChannelID: &ch.ID, Filename: "clip.mp4"}
}

// begin opens an upload of the clip as u and sends its first n bytes.
func (e *env) begin(t *testing.T, u *database.User, ch *database.Channel, n int64) *database.Upload {
	t.Helper()
	ctx := context.Background()
	size := int64(len(e.clip))
	up, err := e.uploads.Init(ctx, u, meta(ch), size, "video/mp4", nil)
	if err != nil {
		t.Fatalf("init: %v", err)
	}
	p, err := e.uploads.WriteChunk(ctx, u, up.ID, 0, n-1, size, bytes.NewReader(e.clip[:n]))
	if err != nil || p.Stored != n || p.Video != nil {
		t.Fatalf("first chunk: %+v, %v", p, err)
	}
	return up
}

// upload sends the clip as u in two chunks and returns the video made.
func (e *env) upload(t *testing.T, u *database.User, ch *database.Channel) *database.Video {
	t.Helper()
	size := int64(len(e.clip))
	half := size / 2
	up := e.begin(t, u, ch, half)
	p, err := e.uploads.WriteChunk(context.Background(), u, up.ID, half, size-1, size, bytes.NewReader(e.clip[half:]))
	if err != nil || p.Video == nil {
		t.Fatalf("last chunk: %+v, %v", p, err)
	}
	return p.Video
}

func status(err error) int {
	var p *problem.Problem
	if errors.As(err, &p) {
		return p.Status
	}
	return 0
}

// The last chunk makes the video, stores its original and records its
// transcoding job, and the upload is gone: nothing is left to expire
// and nothing waits for a job nobody promised.
func TestChunksInOrderMakeAVideoWithItsJob(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		e := newEnv(t, b)
		u, ch := servertest.CreateUser(t, e.db, database.RoleUser, -1)
		v := e.upload(t, u, ch)
		if v.State != database.StateToTranscode || v.OriginalSize != int64(len(e.clip)) {
			t.Fatalf("video state %d, original %d bytes; want to transcode, %d bytes", v.State, v.OriginalSize, len(e.clip))
		}
		if stored, err := e.videos.OriginalStored(ctx, v.OriginalKey); err != nil || !stored {
			t.Fatalf("original stored: %v, %v", stored, err)
		}
		j, err := e.db.LatestJob(ctx, v.ID, string(job.VODHLS))
		if err != nil || j.State != database.JobQueued {
			t.Fatalf("transcoding job: %+v, %v", j, err)
		}
		if left, _ := os.ReadDir(e.dir); len(left) > 0 {
			t.Fatalf("the uploads directory keeps %d files", len(left))
		}
	})
}

// A chunk that does not start where the stored bytes end is refused and
// changes nothing; the upload goes on from the right offset.
func TestWrongOffsetsAreRefused(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		e := newEnv(t, b)
		u, ch := servertest.CreateUser(t, e.db, database.RoleUser, -1)
		size := int64(len(e.clip))
		up := e.begin(t, u, ch, 100)
		for _, start := range []int64{0, 50, 101} {
			end := min(start+99, size-1)
			_, err := e.uploads.WriteChunk(ctx, u, up.ID, start, end, size, bytes.NewReader(e.clip[start:end+1]))
			if status(err) != http.StatusConflict {
				t.Fatalf("a chunk from byte %d after 100 stored: %v, want 409", start, err)
			}
		}
		if _, err := e.uploads.WriteChunk(ctx, u, up.ID, 100, 199, size+1, bytes.NewReader(e.clip[100:200])); status(err) != http.StatusBadRequest {
			t.Fatalf("a chunk announcing another total: %v, want 400", err)
		}
		p, err := e.uploads.Status(ctx, u, up.ID, size)
		if err != nil || p.Stored != 100 {
			t.Fatalf("after refused chunks: %+v, %v; want 100 bytes stored", p, err)
		}
		p, err = e.uploads.WriteChunk(ctx, u, up.ID, 100, size-1, size, bytes.NewReader(e.clip[100:]))
		if err != nil || p.Video == nil {
			t.Fatalf("resumed from byte 100: %+v, %v", p, err)
		}
	})
}

// Cancelling removes the bytes received and the upload itself.
func TestCancelRemovesTheBytes(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		e := newEnv(t, b)
		u, ch := servertest.CreateUser(t, e.db, database.RoleUser, -1)
		size := int64(len(e.clip))
		up := e.begin(t, u, ch, 100)
		if left, _ := os.ReadDir(e.dir); len(left) != 1 {
			t.Fatalf("the uploads directory holds %d files while uploading, want the part", len(left))
		}
		if err := e.uploads.Cancel(ctx, u, up.ID); err != nil {
			t.Fatal(err)
		}
		if left, _ := os.ReadDir(e.dir); len(left) > 0 {
			t.Fatalf("a cancelled upload left %d files", len(left))
		}
		if _, err := e.uploads.Status(ctx, u, up.ID, size); status(err) != http.StatusNotFound {
			t.Fatalf("status of a cancelled upload: %v, want 404", err)
		}
	})
}

// The quota counts the originals of the user's videos and the uploads
// under way: a user who would go over it is refused before sending a
// byte, with PeerTube's code.
func TestQuota(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		e := newEnv(t, b)
		size := int64(len(e.clip))
		u, ch := servertest.CreateUser(t, e.db, database.RoleUser, 2*size-1)
		e.upload(t, u, ch)
		if total, _, err := e.db.VideoQuotaUsed(ctx, u.ID); err != nil || total != size {
			t.Fatalf("quota used after one video: %d (%v), want its original's %d bytes", total, err, size)
		}
		_, err := e.uploads.Init(ctx, u, meta(ch), size, "video/mp4", nil)
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != http.StatusRequestEntityTooLarge || p.Code != problem.CodeQuotaReached {
			t.Fatalf("a second video over the quota: %v, want 413 %s", err, problem.CodeQuotaReached)
		}
		if _, err := e.uploads.Init(ctx, u, meta(ch), size-1, "video/mp4", nil); err != nil {
			t.Fatalf("a file that fits: %v", err)
		}
		// The upload under way holds its bytes: the next one does not fit.
		if _, err := e.uploads.Init(ctx, u, meta(ch), 1, "video/mp4", nil); status(err) != http.StatusRequestEntityTooLarge {
			t.Fatalf("an upload beside one that fills the quota: %v, want 413", err)
		}
		other, och := servertest.CreateUser(t, e.db, database.RoleUser, 2*size-1)
		if _, err := e.uploads.Init(ctx, other, meta(och), size, "video/mp4", nil); err != nil {
			t.Fatalf("another user's quota: %v", err)
		}
	})
}
