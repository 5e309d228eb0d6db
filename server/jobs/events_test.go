package jobs

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/media/mediatest"
	"cuttle.video/transcoder/job"
)

// Progress from an earlier attempt changes nothing the admin jobs list
// shows: neither the progress nor the worker named.
func TestStaleProgressIsIgnored(t *testing.T) {
	db, st, v := mediatest.Video(t, database.PrivacyPublic)
	ctx := t.Context()
	s := New(Config{SegmentSeconds: 4, URLTTL: time.Hour, TimeLimitFactor: 4}, db, nil, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	j := &database.Job{ID: "job-progress", Type: string(job.VODHLS), VideoID: v.ID, State: database.JobQueued,
		OutputPrefix: media.StagingPrefix(v.UUID, "job-progress")}
	if err := db.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	report := func(attempt int, worker string, progress float64) {
		t.Helper()
		if err := s.Handle(ctx, job.Event{Type: job.EventProgress, JobID: j.ID, JobType: job.VODHLS, Attempt: attempt,
			Worker: worker, Progress: progress, At: time.Now()}); err != nil {
			t.Fatalf("progress of attempt %d by %s: %v", attempt, worker, err)
		}
	}
	report(1, "runner-a", 0.2)
	report(2, "runner-b", 0.3) // runner-a's attempt timed out; runner-b took the job
	report(1, "runner-a", 0.9)
	got, err := db.JobByID(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attempts != 2 || got.Worker != "runner-b" || got.Progress != 0.3 {
		t.Fatalf("job shows attempt %d by %q at %.2f, want attempt 2 by runner-b at 0.30", got.Attempts, got.Worker, got.Progress)
	}
	report(2, "runner-b", 0.5)
	if got, _ := db.JobByID(ctx, j.ID); got.Progress != 0.5 {
		t.Fatalf("progress of the attempt holding the job: %.2f, want 0.50", got.Progress)
	}
}
