// Package queuetest is the contract every queue.Queue must meet, as a
// test suite, and helpers for the tests of each implementation.
package queuetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
)

// MaxAttempts is the retry limit of the queues newQueue returns.
const MaxAttempts = 3

// Run checks the contract on queues from newQueue, a new empty one for
// each subtest, configured with MaxAttempts and closed when t ends.
func Run(t *testing.T, newQueue func(t *testing.T) queue.Queue) {
	tests := []struct {
		name string
		fn   func(*testing.T, queue.Queue)
	}{
		{"CompleteDeliversResult", testComplete},
		{"Progress", testProgress},
		{"FailRetries", testFailRetries},
		{"FailPermanent", testFailPermanent},
		{"AttemptsExhausted", testAttemptsExhausted},
		{"Release", testRelease},
		{"TakeChoosesTypes", testTypes},
		{"TakeEndsWithContext", testTakeContext},
		{"CloseEndsTake", testClose},
		{"Waiting", testWaiting},
		{"ConcurrentTakers", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newQueue(t)) })
	}
}

func testComplete(t *testing.T, q queue.Queue) {
	ev := Consume(t, q)
	j := NewJob(t, job.VODHLS)
	Enqueue(t, q, j)
	l := Take(t, q, job.VODHLS)
	got := l.Job()
	if got.ID != j.ID || got.Type != j.Type || got.VideoUUID != j.VideoUUID || string(got.Payload) != string(j.Payload) {
		t.Fatalf("took %+v, want %+v", got, j)
	}
	if l.Attempt() != 1 {
		t.Errorf("attempt %d, want 1", l.Attempt())
	}
	result := job.VODHLSResult{Duration: 12.5, Files: []string{"master.m3u8"}, SegmentsSHA256: "sha.json"}
	if err := l.Complete(context.Background(), result); err != nil {
		t.Fatalf("complete: %v", err)
	}
	e := ev.Wait(t, "completion", For(j.ID, job.EventCompleted))
	var back job.VODHLSResult
	if err := json.Unmarshal(e.Result, &back); err != nil {
		t.Fatalf("result %s: %v", e.Result, err)
	}
	if !reflect.DeepEqual(back, result) {
		t.Errorf("result %+v, want %+v", back, result)
	}
	if e.Attempt != 1 || e.JobType != job.VODHLS || e.Worker == "" || e.At.IsZero() {
		t.Errorf("event %+v lacks attempt 1, job type, worker or time", e)
	}
	if err := l.Complete(context.Background(), result); err == nil {
		t.Error("second complete of one lease succeeded")
	}
	NoTake(t, q, job.VODHLS)
}

func testProgress(t *testing.T, q queue.Queue) {
	ev := Consume(t, q)
	j := NewJob(t, job.VODHLS)
	Enqueue(t, q, j)
	l := Take(t, q, job.VODHLS)
	ctx := context.Background()
	for _, f := range []float64{0.25, 0.5} {
		if err := l.Progress(ctx, f); err != nil {
			t.Fatalf("progress: %v", err)
		}
	}
	for _, f := range []float64{0.25, 0.5} {
		e := ev.Wait(t, "progress", func(e job.Event) bool {
			return e.JobID == j.ID && e.Type == job.EventProgress && e.Progress == f
		})
		if e.Attempt != 1 || e.Worker == "" || e.JobType != job.VODHLS {
			t.Errorf("progress event %+v lacks attempt, worker or job type", e)
		}
	}
	if err := l.Complete(ctx, nil); err != nil {
		t.Fatalf("complete: %v", err)
	}
	ev.Wait(t, "completion", For(j.ID, job.EventCompleted))
}

func testFailRetries(t *testing.T, q queue.Queue) {
	ev := Consume(t, q)
	j := NewJob(t, job.VODHLS)
	Enqueue(t, q, j)
	ctx := context.Background()
	if err := Take(t, q, job.VODHLS).Fail(ctx, errors.New("encoder crashed"), false); err != nil {
		t.Fatalf("fail: %v", err)
	}
	e := ev.Wait(t, "failure", For(j.ID, job.EventFailed))
	if e.Final || e.Error != "encoder crashed" || e.Attempt != 1 {
		t.Errorf("failure event %+v, want attempt 1 not final with the error", e)
	}
	l := Take(t, q, job.VODHLS)
	if l.Job().ID != j.ID || l.Attempt() != 2 {
		t.Fatalf("took %s attempt %d, want %s attempt 2", l.Job().ID, l.Attempt(), j.ID)
	}
	if err := l.Complete(ctx, "ok"); err != nil {
		t.Fatalf("complete: %v", err)
	}
	if e := ev.Wait(t, "completion", For(j.ID, job.EventCompleted)); e.Attempt != 2 {
		t.Errorf("completed attempt %d, want 2", e.Attempt)
	}
}

func testFailPermanent(t *testing.T, q queue.Queue) {
	ev := Consume(t, q)
	j := NewJob(t, job.VODHLS)
	Enqueue(t, q, j)
	if err := Take(t, q, job.VODHLS).Fail(context.Background(), errors.New("not a video"), true); err != nil {
		t.Fatalf("fail: %v", err)
	}
	e := ev.Wait(t, "failure", For(j.ID, job.EventFailed))
	if !e.Final || e.Error != "not a video" {
		t.Errorf("failure event %+v, want final with the error", e)
	}
	gone(t, q, j.ID)
	NoTake(t, q, job.VODHLS)
}

func testAttemptsExhausted(t *testing.T, q queue.Queue) {
	ev := Consume(t, q)
	j := NewJob(t, job.VODHLS)
	Enqueue(t, q, j)
	for attempt := 1; attempt <= MaxAttempts; attempt++ {
		l := Take(t, q, job.VODHLS)
		if l.Job().ID != j.ID || l.Attempt() != attempt {
			t.Fatalf("took %s attempt %d, want %s attempt %d", l.Job().ID, l.Attempt(), j.ID, attempt)
		}
		if err := l.Fail(context.Background(), errors.New("out of memory"), false); err != nil {
			t.Fatalf("fail: %v", err)
		}
		e := ev.Wait(t, "failure", For(j.ID, job.EventFailed))
		if e.Attempt != attempt || e.Final != (attempt == MaxAttempts) {
			t.Errorf("failure event %+v, want attempt %d final only at %d", e, attempt, MaxAttempts)
		}
	}
	gone(t, q, j.ID)
	NoTake(t, q, job.VODHLS)
}

func testRelease(t *testing.T, q queue.Queue) {
	ev := Consume(t, q)
	j := NewJob(t, job.VODHLS)
	Enqueue(t, q, j)
	ctx := context.Background()
	l := Take(t, q, job.VODHLS)
	if err := l.Release(ctx); err != nil {
		t.Fatalf("release: %v", err)
	}
	l = Take(t, q, job.VODHLS)
	if l.Job().ID != j.ID || l.Attempt() != 1 {
		t.Fatalf("after release took %s attempt %d, want %s attempt 1", l.Job().ID, l.Attempt(), j.ID)
	}
	if err := l.Fail(ctx, errors.New("disk full"), false); err != nil {
		t.Fatalf("fail: %v", err)
	}
	l = Take(t, q, job.VODHLS)
	if err := l.Release(ctx); err != nil {
		t.Fatalf("release: %v", err)
	}
	l = Take(t, q, job.VODHLS)
	if l.Job().ID != j.ID || l.Attempt() != 2 {
		t.Fatalf("after failure and release took %s attempt %d, want %s attempt 2", l.Job().ID, l.Attempt(), j.ID)
	}
	if err := l.Complete(ctx, "ok"); err != nil {
		t.Fatalf("complete: %v", err)
	}
	ev.Wait(t, "completion", For(j.ID, job.EventCompleted))
}

func testTypes(t *testing.T, q queue.Queue) {
	other := NewJob(t, Other)
	Enqueue(t, q, other)
	NoTake(t, q, job.VODHLS)
	vod := NewJob(t, job.VODHLS)
	Enqueue(t, q, vod)
	l := Take(t, q, job.VODHLS)
	if l.Job().ID != vod.ID {
		t.Errorf("vod-hls taker got %s (%s)", l.Job().ID, l.Job().Type)
	}
	complete(t, l)
	l = Take(t, q, job.VODHLS, Other)
	if l.Job().ID != other.ID {
		t.Errorf("taker of both types got %s, want %s", l.Job().ID, other.ID)
	}
	complete(t, l)

	// With both types waiting, the first type listed goes first, and the
	// other job stays for the next taker, its attempt not counted.
	vod, other = NewJob(t, job.VODHLS), NewJob(t, Other)
	Enqueue(t, q, other)
	Enqueue(t, q, vod)
	if l := Take(t, q, job.VODHLS, Other); l.Job().ID != vod.ID {
		t.Errorf("taker of both types got %s, want %s", l.Job().ID, vod.ID)
	}
	if l := Take(t, q, Other); l.Job().ID != other.ID || l.Attempt() != 1 {
		t.Errorf("took %s attempt %d, want %s attempt 1", l.Job().ID, l.Attempt(), other.ID)
	}
	waiting(t, q, vod.ID, other.ID)
}

func testTakeContext(t *testing.T, q queue.Queue) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := q.Take(ctx, job.VODHLS); !errors.Is(err, context.Canceled) {
		t.Errorf("take with a cancelled context: %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	res := make(chan error, 1)
	go func() {
		_, err := q.Take(ctx, job.VODHLS)
		res <- err
	}()
	NoTake(t, q, job.VODHLS) // gives the taker time to block
	cancel()
	if err := receive(t, res, "take after cancellation"); !errors.Is(err, context.Canceled) {
		t.Errorf("take: %v, want context.Canceled", err)
	}
}

func testClose(t *testing.T, q queue.Queue) {
	res := make(chan error, 1)
	go func() {
		_, err := q.Take(context.Background(), job.VODHLS)
		res <- err
	}()
	NoTake(t, q, job.VODHLS)
	if err := q.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := receive(t, res, "take after close"); !errors.Is(err, queue.ErrClosed) {
		t.Errorf("take: %v, want queue.ErrClosed", err)
	}
	if _, err := q.Take(context.Background(), job.VODHLS); !errors.Is(err, queue.ErrClosed) {
		t.Errorf("take on a closed queue: %v, want queue.ErrClosed", err)
	}
	if err := q.Enqueue(context.Background(), NewJob(t, job.VODHLS)); !errors.Is(err, queue.ErrClosed) {
		t.Errorf("enqueue on a closed queue: %v, want queue.ErrClosed", err)
	}
}

func testWaiting(t *testing.T, q queue.Queue) {
	ev := Consume(t, q)
	a, b, c := NewJob(t, job.VODHLS), NewJob(t, job.VODHLS), NewJob(t, Other)
	for _, j := range []job.Job{a, b, c} {
		Enqueue(t, q, j)
	}
	ctx := context.Background()
	la := Take(t, q, job.VODHLS)
	lb := Take(t, q, job.VODHLS)
	if la.Job().ID != a.ID || lb.Job().ID != b.ID {
		t.Fatalf("took %s then %s, want %s then %s (in order)", la.Job().ID, lb.Job().ID, a.ID, b.ID)
	}
	if err := lb.Complete(ctx, "ok"); err != nil {
		t.Fatalf("complete: %v", err)
	}
	ev.Wait(t, "completion", For(b.ID, job.EventCompleted))
	waiting(t, q, a.ID, c.ID)
	if err := la.Complete(ctx, "ok"); err != nil {
		t.Fatalf("complete: %v", err)
	}
	waiting(t, q, c.ID)
}

func testConcurrent(t *testing.T, q queue.Queue) {
	const jobs, takers = 30, 3
	ev := Consume(t, q)
	want := map[string]bool{}
	for range jobs {
		j := NewJob(t, job.VODHLS)
		want[j.ID] = true
		Enqueue(t, q, j)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var taken counter
	errs := make(chan error, takers)
	for range takers {
		go func() { errs <- takeAll(ctx, q, &taken) }()
	}
	completed := map[string]bool{}
	for len(completed) < jobs {
		e := ev.Wait(t, "completion", func(e job.Event) bool { return e.Type == job.EventCompleted })
		if !want[e.JobID] || completed[e.JobID] {
			t.Fatalf("unexpected completion of %s", e.JobID)
		}
		completed[e.JobID] = true
	}
	cancel()
	for range takers {
		if err := receive(t, errs, "taker"); err != nil {
			t.Error(err)
		}
	}
	for id, n := range taken.snapshot() {
		if n != 1 {
			t.Errorf("job %s taken %d times", id, n)
		}
	}
}

// takeAll completes jobs until ctx ends.
func takeAll(ctx context.Context, q queue.Queue, taken *counter) error {
	for {
		l, err := q.Take(ctx, job.VODHLS)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		taken.add(l.Job().ID)
		if err := l.Complete(ctx, "ok"); err != nil {
			return err
		}
	}
}

func complete(t *testing.T, l queue.Lease) {
	t.Helper()
	if err := l.Complete(context.Background(), "ok"); err != nil {
		t.Fatalf("complete %s: %v", l.Job().ID, err)
	}
}

func receive(t *testing.T, ch <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(Timeout):
		t.Fatalf("no return of %s within %v", what, Timeout)
		return nil
	}
}

// waiting checks that q holds exactly ids.
func waiting(t *testing.T, q queue.Queue, ids ...string) {
	t.Helper()
	got, err := q.Waiting(context.Background())
	if err != nil {
		t.Fatalf("waiting: %v", err)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("waiting %v, want %v", got, want)
	}
}

// gone checks that q no longer holds id.
func gone(t *testing.T, q queue.Queue, id string) {
	t.Helper()
	got, err := q.Waiting(context.Background())
	if err != nil {
		t.Fatalf("waiting: %v", err)
	}
	if got[id] {
		t.Errorf("job %s still waiting", id)
	}
}
