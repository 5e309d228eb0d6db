package queuetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
)

// Timeout bounds every wait for something that should happen.
const Timeout = 15 * time.Second

// absent is how long a check that nothing arrives looks.
const absent = 400 * time.Millisecond

// Other is a job type besides job.VODHLS, to check that takers choose.
const Other job.Type = "queuetest-other"

var seq atomic.Int64

// NewJob returns a job of type t with an ID no other call returns.
func NewJob(t testing.TB, typ job.Type) job.Job {
	t.Helper()
	id := fmt.Sprintf("job-%d-%d", time.Now().UnixNano(), seq.Add(1))
	j, err := job.New(id, typ, "video-"+id, job.VODHLSPayload{InputURL: "http://example.invalid/" + id, SegmentSeconds: 4})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// Enqueue adds j to q or fails the test.
func Enqueue(t testing.TB, q queue.Queue, j job.Job) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := q.Enqueue(ctx, j); err != nil {
		t.Fatalf("enqueue %s: %v", j.ID, err)
	}
}

// Take leases a job of types from q within Timeout or fails the test.
func Take(t testing.TB, q queue.Queue, types ...job.Type) queue.Lease {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	l, err := q.Take(ctx, types...)
	if err != nil {
		t.Fatalf("take %v: %v", types, err)
	}
	return l
}

// NoTake checks that no job of types can be taken for a while.
func NoTake(t testing.TB, q queue.Queue, types ...job.Type) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), absent)
	defer cancel()
	l, err := q.Take(ctx, types...)
	if err == nil {
		t.Fatalf("took job %s (attempt %d), want none", l.Job().ID, l.Attempt())
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("take: %v, want the context's deadline", err)
	}
}

// Events collects what Consume hands out.
type Events struct {
	ch      chan job.Event
	backlog []job.Event
}

// Consume runs q.Consume until the test ends.
func Consume(t testing.TB, q queue.Queue) *Events {
	t.Helper()
	ev := &Events{ch: make(chan job.Event, 1024)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, func(ctx context.Context, e job.Event) error {
			select {
			case ev.ch <- e:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err == nil || !errors.Is(err, context.Canceled) && !errors.Is(err, queue.ErrClosed) {
				t.Errorf("consume returned %v, want the context's cancellation", err)
			}
		case <-time.After(Timeout):
			t.Error("consume did not return after its context was cancelled")
		}
	})
	return ev
}

// Wait returns the first event, in the order of arrival, that match
// accepts, skipping but keeping the others for later calls.
func (ev *Events) Wait(t testing.TB, what string, match func(job.Event) bool) job.Event {
	t.Helper()
	for i, e := range ev.backlog {
		if match(e) {
			ev.backlog = append(ev.backlog[:i], ev.backlog[i+1:]...)
			return e
		}
	}
	timeout := time.NewTimer(Timeout)
	defer timeout.Stop()
	for {
		select {
		case e := <-ev.ch:
			if match(e) {
				return e
			}
			ev.backlog = append(ev.backlog, e)
		case <-timeout.C:
			t.Fatalf("no %s within %v; other events: %+v", what, Timeout, ev.backlog)
		}
	}
}

// For matches the events of type typ about job id.
func For(id string, typ job.EventType) func(job.Event) bool {
	return func(e job.Event) bool { return e.JobID == id && e.Type == typ }
}

// counter counts strings from several goroutines.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(s string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[s]++
	return c.n[s]
}

func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.n))
	for k, v := range c.n {
		m[k] = v
	}
	return m
}
