// Package deadline runs work no later than a requested time, with one
// timer and no polling: an idle process does nothing. It gives the
// event-driven timers of the server (upload expiry, job retries, view
// flushes) one life: a request can only bring the run forward, and Close
// stops the timer and waits for a run in progress.
package deadline

import (
	"context"
	"sync"
	"time"
)

// Timer runs its function no later than the earliest time requested
// since its last run. Runs never overlap. It is safe for concurrent use,
// including from its own function, which may ask for the next run.
type Timer struct {
	fn     func(context.Context)
	now    func() time.Time
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	timer  *time.Timer
	next   time.Time // zero while no run is requested
	gen    uint64    // tells a superseded timer's callback to do nothing
	closed bool
	runs   sync.WaitGroup
	// running serialises runs: a request for an earlier time that fires
	// while fn runs waits for it rather than running beside it.
	running sync.Mutex
}

// New returns a Timer that calls fn, with a context Close cancels. now
// is the clock the requested times are on; nil means time.Now.
func New(now func() time.Time, fn func(context.Context)) *Timer {
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Timer{fn: fn, now: now, ctx: ctx, cancel: cancel}
}

// By asks for a run no later than at. A request later than one already
// pending changes nothing; an earlier one moves the run forward. After
// Close it does nothing.
func (t *Timer) By(at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || (!t.next.IsZero() && !at.Before(t.next)) {
		return
	}
	if t.timer != nil {
		t.timer.Stop()
	}
	t.gen++
	gen := t.gen
	t.next = at
	t.timer = time.AfterFunc(at.Sub(t.now()), func() { t.fire(gen) })
}

// Within asks for a run no later than d from now.
func (t *Timer) Within(d time.Duration) { t.By(t.now().Add(d)) }

func (t *Timer) fire(gen uint64) {
	t.mu.Lock()
	if t.closed || gen != t.gen {
		t.mu.Unlock()
		return
	}
	// Cleared before the run, so that what the run or anyone else asks
	// for meanwhile arms the timer again.
	t.next, t.timer = time.Time{}, nil
	t.runs.Add(1)
	t.mu.Unlock()
	defer t.runs.Done()

	t.running.Lock()
	defer t.running.Unlock()
	if t.ctx.Err() != nil {
		return
	}
	t.fn(t.ctx)
}

// Close stops the timer, cancels the context of a run in progress and
// waits for it to return. No run starts after Close.
func (t *Timer) Close() {
	t.mu.Lock()
	t.closed = true
	if t.timer != nil {
		t.timer.Stop()
	}
	t.mu.Unlock()
	t.cancel()
	t.runs.Wait()
}
