package jobs

import (
	"slices"
	"testing"
	"time"

	"cuttle.video/server/database"
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
