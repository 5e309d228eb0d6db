package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue/memqueue"
)

// A job whose transcode runs past the time limit its payload sets fails
// for good, with an error that says so, instead of holding the worker.
func TestRunnerEnforcesTimeLimit(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is required (make test installs it)")
	}
	dir := t.TempDir()
	original := filepath.Join(dir, "original.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=60",
		"-c:v", "libx264", "-preset", "ultrafast", original).CombinedOutput()
	if err != nil {
		t.Fatalf("generate original: %v\n%s", err, out)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()

	q := memqueue.New(memqueue.Config{MaxAttempts: 3})
	defer q.Close()
	payload := job.VODHLSPayload{InputURL: srv.URL + "/original.mp4", SegmentSeconds: 4, TimeLimitSeconds: 1,
		Renditions: []job.Rendition{{Name: "360p", Width: 640, Height: 360, FPS: 30, VideoKbps: 800}}}
	j, err := job.New("job-1", job.VODHLS, "video-1", payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = New(q, Config{ScratchDir: filepath.Join(dir, "scratch")}).Run(ctx)
	}()
	e := <-endings(ctx, q)
	cancel()
	<-done
	if e.Type != job.EventFailed || !e.Final || !strings.Contains(e.Error, "time limit of 1s") {
		t.Fatalf("event %s (final %v): %q, want a final failure naming the time limit", e.Type, e.Final, e.Error)
	}
}
