package deadline

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// ran returns a function for New that reports each run on the channel.
func ran() (func(context.Context), chan struct{}) {
	ch := make(chan struct{}, 10)
	return func(context.Context) { ch <- struct{}{} }, ch
}

func waitRun(t *testing.T, ch chan struct{}, within time.Duration) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(within):
		t.Fatalf("no run within %v", within)
	}
}

func noRun(t *testing.T, ch chan struct{}, during time.Duration) {
	t.Helper()
	select {
	case <-ch:
		t.Fatal("an unexpected run")
	case <-time.After(during):
	}
}

func TestRunsByTheRequestedTime(t *testing.T) {
	fn, ch := ran()
	tm := New(nil, fn)
	defer tm.Close()
	tm.Within(10 * time.Millisecond)
	waitRun(t, ch, 5*time.Second)
	noRun(t, ch, 50*time.Millisecond)
}

func TestAnEarlierRequestMovesTheRunForward(t *testing.T) {
	fn, ch := ran()
	tm := New(nil, fn)
	defer tm.Close()
	tm.Within(time.Hour)
	tm.Within(10 * time.Millisecond)
	waitRun(t, ch, 5*time.Second)
	noRun(t, ch, 50*time.Millisecond)
}

func TestALaterRequestDoesNotDelayTheRun(t *testing.T) {
	fn, ch := ran()
	tm := New(nil, fn)
	defer tm.Close()
	tm.Within(20 * time.Millisecond)
	tm.Within(time.Hour)
	waitRun(t, ch, 5*time.Second)
}

func TestTimesAreOnTheGivenClock(t *testing.T) {
	fn, ch := ran()
	shifted := func() time.Time { return time.Now().Add(48 * time.Hour) }
	tm := New(shifted, fn)
	defer tm.Close()
	tm.By(shifted().Add(10 * time.Millisecond))
	waitRun(t, ch, 5*time.Second)
}

func TestARunMayAskForTheNext(t *testing.T) {
	var n atomic.Int32
	ch := make(chan struct{}, 10)
	var tm *Timer
	tm = New(nil, func(context.Context) {
		if n.Add(1) < 3 {
			tm.Within(time.Millisecond)
		}
		ch <- struct{}{}
	})
	defer tm.Close()
	tm.Within(time.Millisecond)
	for range 3 {
		waitRun(t, ch, 5*time.Second)
	}
	noRun(t, ch, 50*time.Millisecond)
}

func TestCloseWaitsForARunningFunction(t *testing.T) {
	started := make(chan struct{})
	var finished atomic.Bool
	tm := New(nil, func(ctx context.Context) {
		close(started)
		<-ctx.Done() // Close cancels the run...
		time.Sleep(50 * time.Millisecond)
		finished.Store(true) // ...and waits for it to return.
	})
	tm.Within(time.Millisecond)
	<-started
	tm.Close()
	if !finished.Load() {
		t.Fatal("Close returned while the function was still running")
	}
}

func TestNothingRunsAfterClose(t *testing.T) {
	fn, ch := ran()
	tm := New(nil, fn)
	tm.Within(20 * time.Millisecond)
	tm.Close()
	tm.Within(time.Millisecond)
	noRun(t, ch, 100*time.Millisecond)
}
