package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/media/mediatest"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
	"cuttle.video/transcoder/queue/memqueue"
)

// A completion whose handling failed after it had moved some of the
// job's files to the video's media directory (storage gone for a moment,
// the server killed) is handled again: the video is published with every
// file in place, instead of the job being refused for files missing from
// staging.
func TestCompletionHandledAgainAfterAPartialMove(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed")
	}
	ctx := context.Background()
	db, st, v := mediatest.Video(t, database.PrivacyPublic)
	v.State = database.StateToTranscode
	if err := db.UpdateVideo(ctx, v, false, "state"); err != nil {
		t.Fatal(err)
	}
	q := memqueue.New(memqueue.Config{})
	t.Cleanup(func() { q.Close() })
	s := New(Config{SegmentSeconds: 2, URLTTL: time.Hour, TimeLimitFactor: 4}, db, q, st, slog.New(slog.DiscardHandler))

	// What a runner staged.
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip.mp4")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=4",
		"-c:v", "libx264", "-preset", "ultrafast", clip).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	ladder := []job.Rendition{{Name: "180p", Width: 320, Height: 180, FPS: 25, VideoKbps: 300}}
	out := filepath.Join(dir, "out")
	res, err := pipeline.Run(ctx, clip, out, ladder, 4, pipeline.Options{Preset: "ultrafast", SegmentSeconds: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	j := &database.Job{ID: "job-1", Type: string(job.VODHLS), VideoID: v.ID, State: database.JobProcessing,
		Attempts: 1, Worker: "runner-a", OutputPrefix: media.StagingPrefix(v.UUID, "job-1")}
	if err := db.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, j.OutputPrefix+f, bytes.NewReader(data), int64(len(data)), ""); err != nil {
			t.Fatal(err)
		}
	}
	// The earlier handling moved the rendition's file and then failed.
	r := res.Renditions[0]
	if err := storage.Move(ctx, st, j.OutputPrefix+r.File, media.MediaPrefix(v)+r.File); err != nil {
		t.Fatal(err)
	}

	result, _ := json.Marshal(res)
	e := job.Event{Type: job.EventCompleted, JobID: j.ID, JobType: job.VODHLS, Attempt: 1, Worker: "runner-a", Result: result}
	if err := s.Handle(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := db.VideoByID(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	published := media.Result(got)
	if got.State != database.StatePublished || published == nil || published.Renditions[0].InfoHash == "" {
		t.Fatalf("video state %d (%s), result %+v", got.State, got.StateReason, published)
	}
	prefix := media.MediaPrefix(got)
	for _, name := range []string{r.File, r.Playlist, res.SegmentsSHA256, published.Master, media.TorrentKey(published.Renditions[0])} {
		if _, err := st.Stat(ctx, prefix+name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if left, _ := st.List(ctx, j.OutputPrefix); len(left) != 0 {
		t.Errorf("staging still holds %d files", len(left))
	}
	rc, _, err := st.Get(ctx, prefix+published.Master, nil)
	if err != nil {
		t.Fatal(err)
	}
	master, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(master), r.Playlist) {
		t.Errorf("master playlist:\n%s", master)
	}
}
