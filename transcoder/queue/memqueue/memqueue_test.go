package memqueue

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
	"cuttle.video/transcoder/queue/queuetest"
)

func newQueue(t *testing.T) *Queue {
	q := New(Config{
		MaxAttempts: queuetest.MaxAttempts,
		Logger:      slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	t.Cleanup(func() { _ = q.Close() })
	return q
}

func TestContract(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queue.Queue { return newQueue(t) })
}

func TestEnqueueKnownIDIsNoop(t *testing.T) {
	q := newQueue(t)
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, j)
	queuetest.Enqueue(t, q, j)
	l := queuetest.Take(t, q, job.VODHLS)
	queuetest.Enqueue(t, q, j) // leased
	queuetest.NoTake(t, q, job.VODHLS)
	if err := l.Complete(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	queuetest.Enqueue(t, q, j) // done: a new run
	if l := queuetest.Take(t, q, job.VODHLS); l.Job().ID != j.ID || l.Attempt() != 1 {
		t.Errorf("took %s attempt %d, want %s attempt 1", l.Job().ID, l.Attempt(), j.ID)
	}
}

func TestEventsBeforeConsumeAreKept(t *testing.T) {
	q := newQueue(t)
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, j)
	l := queuetest.Take(t, q, job.VODHLS)
	ctx := context.Background()
	if err := l.Progress(ctx, 0.5); err != nil {
		t.Fatal(err)
	}
	if err := l.Complete(ctx, "ok"); err != nil {
		t.Fatal(err)
	}
	ev := queuetest.Consume(t, q)
	ev.Wait(t, "progress", queuetest.For(j.ID, job.EventProgress))
	ev.Wait(t, "completion", queuetest.For(j.ID, job.EventCompleted))
}

func TestHandlerErrorIsRetriedInOrder(t *testing.T) {
	q := newQueue(t)
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, j)
	l := queuetest.Take(t, q, job.VODHLS)

	var failures atomic.Int32
	got := make(chan job.Event, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, func(ctx context.Context, e job.Event) error {
			if e.Type == job.EventProgress && failures.Add(1) <= 2 {
				return errors.New("database unavailable")
			}
			got <- e
			return nil
		})
	}()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("consume: %v", err)
		}
	}()
	if err := l.Progress(ctx, 0.5); err != nil {
		t.Fatal(err)
	}
	if err := l.Complete(ctx, "ok"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []job.EventType{job.EventProgress, job.EventCompleted} {
		select {
		case e := <-got:
			if e.Type != want {
				t.Fatalf("got %s, want %s", e.Type, want)
			}
		case <-time.After(queuetest.Timeout):
			t.Fatalf("no %s event", want)
		}
	}
	if n := failures.Load(); n != 3 {
		t.Errorf("progress handed %d times, want 3", n)
	}
}

func TestReleaseGoesFirst(t *testing.T) {
	q := newQueue(t)
	a, b := queuetest.NewJob(t, job.VODHLS), queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, a)
	queuetest.Enqueue(t, q, b)
	if err := queuetest.Take(t, q, job.VODHLS).Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l := queuetest.Take(t, q, job.VODHLS); l.Job().ID != a.ID {
		t.Errorf("took %s after release, want %s", l.Job().ID, a.ID)
	}
}

func TestSecondConsumeRefused(t *testing.T) {
	q := newQueue(t)
	ev := queuetest.Consume(t, q)
	// An event handed out proves the first Consume has registered.
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, j)
	l := queuetest.Take(t, q, job.VODHLS)
	if err := l.Progress(context.Background(), 0.1); err != nil {
		t.Fatal(err)
	}
	ev.Wait(t, "progress", queuetest.For(j.ID, job.EventProgress))
	ctx, cancel := context.WithTimeout(context.Background(), queuetest.Timeout)
	defer cancel()
	err := q.Consume(ctx, func(context.Context, job.Event) error { return nil })
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second consume: %v, want a refusal", err)
	}
}
