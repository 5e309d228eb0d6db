package redisqueue

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
	"cuttle.video/transcoder/queue/queuetest"
)

func TestContract(t *testing.T) {
	client := sharedRedis(t)
	queuetest.Run(t, func(t *testing.T) queue.Queue {
		return newQueue(t, client, Config{Prefix: uniquePrefix(t, client), MaxAttempts: queuetest.MaxAttempts})
	})
}

const shortIdle = 300 * time.Millisecond

// deadWorker returns a queue whose leases never heartbeat, as if its
// process had died right after taking a job.
func deadWorker(t *testing.T, client *redis.Client, prefix, name string) *Queue {
	q := newQueue(t, client, Config{Prefix: prefix, WorkerName: name, ClaimIdle: shortIdle})
	q.noHeartbeat = true
	return q
}

func TestLostWorkerJobIsTakenOver(t *testing.T) {
	client := sharedRedis(t)
	prefix := uniquePrefix(t, client)
	dead := deadWorker(t, client, prefix, "dead")
	live := newQueue(t, client, Config{Prefix: prefix, WorkerName: "live", ClaimIdle: shortIdle})
	ev := queuetest.Consume(t, live)
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, live, j)

	abandoned := queuetest.Take(t, dead, job.VODHLS)
	taken := time.Now()
	l := queuetest.Take(t, live, job.VODHLS)
	if l.Job().ID != j.ID || l.Attempt() != 2 {
		t.Fatalf("took %s attempt %d, want %s attempt 2", l.Job().ID, l.Attempt(), j.ID)
	}
	if d := time.Since(taken); d < shortIdle {
		t.Errorf("taken over after %v, before ClaimIdle %v", d, shortIdle)
	}
	if err := l.Complete(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	e := ev.Wait(t, "completion", queuetest.For(j.ID, job.EventCompleted))
	if e.Attempt != 2 || e.Worker != "live" {
		t.Errorf("completion %+v, want attempt 2 by live", e)
	}
	// A worker that only seemed dead learns it lost the job.
	if err := abandoned.Fail(context.Background(), errors.New("late"), false); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("fail of the lost lease: %v, want ErrLeaseLost", err)
	}
	if ids, err := live.Waiting(context.Background()); err != nil || len(ids) != 0 {
		t.Errorf("waiting %v, %v; want none", ids, err)
	}
}

func TestLiveLeaseIsNotTakenOver(t *testing.T) {
	client := sharedRedis(t)
	prefix := uniquePrefix(t, client)
	holder := newQueue(t, client, Config{Prefix: prefix, WorkerName: "holder", ClaimIdle: shortIdle, Heartbeat: shortIdle / 4})
	other := newQueue(t, client, Config{Prefix: prefix, WorkerName: "other", ClaimIdle: shortIdle})
	ev := queuetest.Consume(t, holder)
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, holder, j)
	l := queuetest.Take(t, holder, job.VODHLS)

	ctx, cancel := context.WithTimeout(context.Background(), 5*shortIdle)
	defer cancel()
	if stolen, err := other.Take(ctx, job.VODHLS); err == nil {
		t.Fatalf("other worker took %s attempt %d from a live lease", stolen.Job().ID, stolen.Attempt())
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("take: %v", err)
	}
	if err := l.Progress(context.Background(), 0.9); err != nil {
		t.Fatalf("progress after %v: %v", 5*shortIdle, err)
	}
	if err := l.Complete(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	if e := ev.Wait(t, "completion", queuetest.For(j.ID, job.EventCompleted)); e.Attempt != 1 {
		t.Errorf("completed attempt %d, want 1", e.Attempt)
	}
}

func TestTooManyLostWorkersDeadLetter(t *testing.T) {
	client := sharedRedis(t)
	prefix := uniquePrefix(t, client)
	j := queuetest.NewJob(t, job.VODHLS)
	for attempt := 1; attempt <= 3; attempt++ {
		dead := deadWorker(t, client, prefix, "dead-"+string(rune('0'+attempt)))
		if attempt == 1 {
			queuetest.Enqueue(t, dead, j)
		}
		if l := queuetest.Take(t, dead, job.VODHLS); l.Attempt() != attempt {
			t.Fatalf("attempt %d, want %d", l.Attempt(), attempt)
		}
	}
	last := newQueue(t, client, Config{Prefix: prefix, WorkerName: "last", ClaimIdle: shortIdle})
	ev := queuetest.Consume(t, last)
	ctx, cancel := context.WithCancel(context.Background())
	took := make(chan queue.Lease, 1)
	go func() {
		l, _ := last.Take(ctx, job.VODHLS)
		took <- l
	}()
	e := ev.Wait(t, "final failure", queuetest.For(j.ID, job.EventFailed))
	cancel()
	if l := <-took; l != nil {
		t.Errorf("took %s attempt %d past the limit", l.Job().ID, l.Attempt())
	}
	if !e.Final || e.Attempt != 3 || !strings.Contains(e.Error, "worker lost 3 times") || e.Worker != "last" {
		t.Errorf("failure %+v, want final after 3 attempts, worker lost 3 times, by last", e)
	}
	dead, err := client.XRange(context.Background(), prefix+":dead", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dead))
	}
	d := dead[0].Values
	if got, err := decodeJob(dead[0]); err != nil || got.ID != j.ID || d["attempt"] != "3" || !strings.Contains(d["error"].(string), "lost") {
		t.Errorf("dead letter %v (%v), want job %s, attempt 3 and the error", d, err, j.ID)
	}
	if ids, err := last.Waiting(context.Background()); err != nil || len(ids) != 0 {
		t.Errorf("waiting %v, %v; want none", ids, err)
	}
}

func TestFailedJobGoesToDeadLetters(t *testing.T) {
	client := sharedRedis(t)
	prefix := uniquePrefix(t, client)
	q := newQueue(t, client, Config{Prefix: prefix})
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, j)
	if err := queuetest.Take(t, q, job.VODHLS).Fail(context.Background(), errors.New("not a video"), true); err != nil {
		t.Fatal(err)
	}
	dead, err := client.XRange(context.Background(), prefix+":dead", "-", "+").Result()
	if err != nil || len(dead) != 1 {
		t.Fatalf("dead letters %v, %v; want one", dead, err)
	}
	d := dead[0].Values
	if got, err := decodeJob(dead[0]); err != nil || got.ID != j.ID || d["attempt"] != "1" || d["error"] != "not a video" {
		t.Errorf("dead letter %v, want job %s, attempt 1 and the error", d, j.ID)
	}
}

func TestConsumeHandsPendingEventsFirst(t *testing.T) {
	client := sharedRedis(t)
	prefix := uniquePrefix(t, client)
	q := newQueue(t, client, Config{Prefix: prefix})
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, j)
	l := queuetest.Take(t, q, job.VODHLS)
	if err := l.Progress(context.Background(), 0.5); err != nil {
		t.Fatal(err)
	}

	// A server that stops while an event fails leaves it pending; the
	// next run under the same name hands it again before anything else.
	failed := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() {
		res <- q.Consume(ctx, func(context.Context, job.Event) error {
			select {
			case failed <- struct{}{}:
			default:
			}
			return errors.New("database unavailable")
		})
	}()
	<-failed
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("consume: %v", err)
	}
	if err := l.Complete(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	ev := queuetest.Consume(t, q)
	if e := ev.Wait(t, "first event", func(job.Event) bool { return true }); e.Type != job.EventProgress {
		t.Errorf("first event %s, want the pending progress", e.Type)
	}
	ev.Wait(t, "completion", queuetest.For(j.ID, job.EventCompleted))
}

func TestConsumeRetriesFailedEvents(t *testing.T) {
	client := sharedRedis(t)
	prefix := uniquePrefix(t, client)
	q := newQueue(t, client, Config{Prefix: prefix})
	calls := 0
	handled := make(chan job.Event, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := make(chan error, 1)
	go func() {
		res <- q.Consume(ctx, func(_ context.Context, e job.Event) error {
			calls++
			if calls <= 2 {
				return errors.New("database unavailable")
			}
			handled <- e
			return nil
		})
	}()
	j := queuetest.NewJob(t, job.VODHLS)
	queuetest.Enqueue(t, q, j)
	if err := queuetest.Take(t, q, job.VODHLS).Complete(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-handled:
		if e.JobID != j.ID || e.Type != job.EventCompleted {
			t.Errorf("handled %+v, want the completion of %s", e, j.ID)
		}
	case <-time.After(queuetest.Timeout):
		t.Fatal("failed event not handed again")
	}
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Errorf("consume: %v", err)
	}
	if calls != 3 {
		t.Errorf("handler called %d times, want 3", calls)
	}
	pending, err := client.XPending(context.Background(), prefix+":events", serversGroup).Result()
	if err != nil || pending.Count != 0 {
		t.Errorf("events pending: %+v, %v; want none", pending, err)
	}
}
