package redisqueue

import (
	"context"
	"testing"
	"time"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
	"cuttle.video/transcoder/queue/queuetest"
)

// takeInBackground runs Take until the test ends or it returns.
func takeInBackground(t *testing.T, q *Queue, types ...job.Type) <-chan queue.Lease {
	ctx, cancel := context.WithCancel(context.Background())
	took := make(chan queue.Lease, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l, err := q.Take(ctx, types...)
		if err != nil {
			return
		}
		took <- l
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return took
}

func receiveLease(t *testing.T, took <-chan queue.Lease) queue.Lease {
	t.Helper()
	select {
	case l := <-took:
		return l
	case <-time.After(queuetest.Timeout):
		t.Fatal("no job taken")
		return nil
	}
}

// consumeWorks checks Consume runs: it hands out an event of a job run
// through q.
func consumeWorks(t *testing.T, q *Queue, ev *queuetest.Events) {
	t.Helper()
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, j)
	l := queuetest.Take(t, q, job.VODHLS)
	if err := l.Complete(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	ev.Wait(t, "completion", queuetest.For(j.ID, job.EventCompleted))
}

func TestFlushAllIsAReset(t *testing.T) {
	srv := startServer(t, 0)
	client := connect(t, srv.options())
	q := newQueue(t, client, Config{})
	ev := queuetest.Consume(t, q)
	consumeWorks(t, q, ev)

	waiting := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, waiting)
	took := takeInBackground(t, q, queuetest.Other)
	if err := client.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	ev.Wait(t, "queue reset", func(e job.Event) bool { return e.Type == job.EventQueueReset })
	if ids, err := q.Waiting(context.Background()); err != nil || len(ids) != 0 {
		t.Fatalf("waiting after FLUSHALL: %v, %v; want none", ids, err)
	}

	// The server queues again what it had pending; the blocked taker and
	// Consume go on.
	queuetest.Enqueue(t, q, waiting)
	other := queuetest.NewJob(t, queuetest.Other)
	queuetest.Enqueue(t, q, other)
	l := receiveLease(t, took)
	if l.Job().ID != other.ID {
		t.Fatalf("took %s, want %s", l.Job().ID, other.ID)
	}
	if err := l.Complete(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	ev.Wait(t, "completion", queuetest.For(other.ID, job.EventCompleted))
	l = queuetest.Take(t, q, job.VODHLS)
	if l.Job().ID != waiting.ID || l.Attempt() != 1 {
		t.Fatalf("took %s attempt %d, want %s attempt 1", l.Job().ID, l.Attempt(), waiting.ID)
	}
	if err := l.Complete(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	ev.Wait(t, "completion", queuetest.For(waiting.ID, job.EventCompleted))
}

func TestRedisRestart(t *testing.T) {
	srv := startServer(t, 0)
	client := connect(t, srv.options())
	q := newQueue(t, client, Config{ClaimIdle: 2 * time.Second})
	ev := queuetest.Consume(t, q)
	consumeWorks(t, q, ev)
	took := takeInBackground(t, q, job.VODHLS)

	srv.kill()
	// While Redis is away, calls fail rather than hang.
	ctx, cancel := context.WithTimeout(context.Background(), queuetest.Timeout)
	defer cancel()
	if err := q.Enqueue(ctx, queuetest.NewJob(t, job.VODHLS)); err == nil {
		t.Error("enqueue succeeded with Redis down")
	}
	startServer(t, srv.port)

	ev.Wait(t, "queue reset", func(e job.Event) bool { return e.Type == job.EventQueueReset })
	// The server enqueues through a client of its own: after failed dials,
	// go-redis stops dialling for a while, which q's loops wait out but a
	// single call would not.
	server := newQueue(t, connect(t, srv.options()), Config{WorkerName: "server"})
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, server, j)
	l := receiveLease(t, took)
	if l.Job().ID != j.ID || l.Attempt() != 1 {
		t.Fatalf("took %s attempt %d, want %s attempt 1", l.Job().ID, l.Attempt(), j.ID)
	}
	if err := l.Complete(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	ev.Wait(t, "completion", queuetest.For(j.ID, job.EventCompleted))
}
