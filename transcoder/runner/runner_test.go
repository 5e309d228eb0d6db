package runner

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue/memqueue"
)

// endings delivers the completions and failures q reports until ctx
// ends.
func endings(ctx context.Context, q *memqueue.Queue) <-chan job.Event {
	events := make(chan job.Event, 4)
	go func() {
		_ = q.Consume(ctx, func(_ context.Context, e job.Event) error {
			if e.Type == job.EventFailed || e.Type == job.EventCompleted {
				events <- e
			}
			return nil
		})
	}()
	return events
}

// A job this runner cannot do fails for good at once, whatever its type,
// and leaves nothing in the scratch directory.
func TestUnworkableJobsFailForGood(t *testing.T) {
	scratch := filepath.Join(t.TempDir(), "scratch")
	q := memqueue.New(memqueue.Config{MaxAttempts: 3})
	defer q.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := endings(ctx, q)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = New(q, Config{ScratchDir: scratch, Log: slog.New(slog.DiscardHandler)}).Run(ctx)
	}()
	for _, tc := range []struct {
		typ     job.Type
		payload any
	}{
		{job.Storyboard, job.StoryboardPayload{}},              // no input, no output
		{job.VODHLS, map[string]any{"segmentSeconds": "four"}}, // unreadable
	} {
		j, err := job.New("job-"+string(tc.typ), tc.typ, "video-1", tc.payload)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
		if e := <-events; e.JobID != j.ID || e.Type != job.EventFailed || !e.Final || e.Attempt != 1 {
			t.Fatalf("%s: event %+v, want a final failure of the first attempt", tc.typ, e)
		}
	}
	cancel()
	<-done
	if left, err := os.ReadDir(scratch); err != nil || len(left) != 0 {
		t.Fatalf("scratch directory holds %v (%v)", left, err)
	}
}
