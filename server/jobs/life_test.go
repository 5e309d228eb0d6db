package jobs

import (
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/media/mediatest"
	"cuttle.video/transcoder/job"
)

func TestPeerTubeStates(t *testing.T) {
	if got := PeerTubeStates(); !slices.Equal(got, []string{"waiting", "active", "failed", "completed"}) {
		t.Fatalf("PeerTubeStates() = %v", got)
	}
	for _, ours := range []string{database.JobQueued, database.JobProcessing, database.JobCompleted, database.JobFailed} {
		if back, ok := StateOfPeerTube(PeerTubeState(ours)); !ok || back != ours {
			t.Errorf("%s comes back from PeerTube's name as %q, %v", ours, back, ok)
		}
	}
	if _, ok := StateOfPeerTube("delayed"); ok {
		t.Error("a state PeerTube has and we do not is taken")
	}
}

// A final failure and a retry change the video only for the kinds whose
// video waits for them; repeated ones change nothing.
func TestFailAndRetryByKind(t *testing.T) {
	for _, tc := range []struct {
		typ                  job.Type
		failedState, retried int
	}{
		{job.VODHLS, database.StateTranscodingFailed, database.StateToTranscode},
		{job.Storyboard, database.StatePublished, database.StatePublished},
	} {
		t.Run(string(tc.typ), func(t *testing.T) {
			db, st, v := mediatest.Video(t, database.PrivacyPublic)
			ctx := t.Context()
			s := New(Config{SegmentSeconds: 4, URLTTL: time.Hour, TimeLimitFactor: 4}, db, nil, st, nil)
			j := &database.Job{ID: "job-" + string(tc.typ), Type: string(tc.typ), VideoID: v.ID, State: database.JobQueued}
			if err := db.CreateJob(ctx, j); err != nil {
				t.Fatal(err)
			}
			j, err := db.JobByID(ctx, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			e := job.Event{Type: job.EventFailed, JobID: j.ID, Attempt: 3, Worker: "runner-a"}
			for i, want := range []bool{true, false} {
				moved, err := s.markFailed(ctx, j, e, "ffmpeg: exit status 1", true)
				if err != nil || moved != want {
					t.Fatalf("final failure %d: moved %v, %v; want %v", i+1, moved, err, want)
				}
			}
			got, _ := db.VideoByID(ctx, v.ID)
			if got.State != tc.failedState {
				t.Fatalf("after the final failure the video is in state %d, want %d", got.State, tc.failedState)
			}
			for i, want := range []bool{true, false} {
				var moved bool
				err := db.Tx(ctx, func(tx *database.DB) (err error) {
					moved, err = markRetried(ctx, tx, j)
					return err
				})
				if err != nil || moved != want {
					t.Fatalf("retry %d: moved %v, %v; want %v", i+1, moved, err, want)
				}
			}
			if got, _ := db.VideoByID(ctx, v.ID); got.State != tc.retried {
				t.Fatalf("after the retry the video is in state %d, want %d", got.State, tc.retried)
			}
			if got, _ := db.JobByID(ctx, j.ID); got.State != database.JobQueued || got.Attempts != 0 || got.Error != "" {
				t.Fatalf("retried job: %+v", got)
			}
		})
	}
}

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
