package memqueue

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
)

var errClosed = errors.New("closed")

const (
	firstRetry = 100 * time.Millisecond
	maxRetry   = 5 * time.Second
)

// outbox hands events to the handler of Consume: at once, in the caller's
// goroutine, when it can; events sent while there is no handler yet, or
// while earlier ones wait for a retry, are kept in order for Consume.
type outbox struct {
	log *slog.Logger
	// deliver keeps the handler to one call at a time, as the Redis queue
	// does, so the server need not be ready for concurrent events.
	deliver sync.Mutex

	mu     sync.Mutex
	h      queue.Handler
	queued []job.Event
	// wake tells Consume that events were queued.
	wake chan struct{}
}

func newOutbox(log *slog.Logger) outbox {
	return outbox{log: log, wake: make(chan struct{}, 1)}
}

// send hands e to the handler, or keeps it for later.
func (o *outbox) send(ctx context.Context, e job.Event) {
	o.deliver.Lock()
	defer o.deliver.Unlock()
	o.mu.Lock()
	h := o.h
	if h == nil || len(o.queued) > 0 {
		o.queued = append(o.queued, e)
		o.mu.Unlock()
		o.poke()
		return
	}
	o.mu.Unlock()
	if err := h(ctx, e); err != nil {
		o.log.Warn("event handler failed, will retry", "event", e.Type, "job", e.JobID, "error", err)
		o.mu.Lock()
		o.queued = append(o.queued, e)
		o.mu.Unlock()
		o.poke()
	}
}

func (o *outbox) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// consume makes h the handler and hands it the kept events, retrying
// failed ones after a growing delay, until ctx ends or done is closed.
func (o *outbox) consume(ctx context.Context, done <-chan struct{}, h queue.Handler) error {
	o.mu.Lock()
	if o.h != nil {
		o.mu.Unlock()
		return errors.New("events are already consumed")
	}
	o.h = h
	o.mu.Unlock()
	defer func() {
		// Wait for a call in flight: h must not run once Consume returned.
		o.deliver.Lock()
		o.mu.Lock()
		o.h = nil
		o.mu.Unlock()
		o.deliver.Unlock()
	}()
	var delay time.Duration
	for {
		var retry *time.Timer
		var retried <-chan time.Time
		wake := o.wake
		if o.drain(ctx, h) {
			delay = 0
		} else {
			delay = min(max(2*delay, firstRetry), maxRetry)
			retry = time.NewTimer(delay)
			retried = retry.C
			// Later events wait behind the failed one: no early retry.
			wake = nil
		}
		var err error
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-done:
			err = errClosed
		case <-wake:
		case <-retried:
		}
		if retry != nil {
			retry.Stop()
		}
		if err != nil {
			return err
		}
	}
}

// drain hands the kept events to h in order; false when h failed.
func (o *outbox) drain(ctx context.Context, h queue.Handler) bool {
	o.deliver.Lock()
	defer o.deliver.Unlock()
	for {
		o.mu.Lock()
		if len(o.queued) == 0 {
			o.mu.Unlock()
			return true
		}
		e := o.queued[0]
		o.mu.Unlock()
		if err := h(ctx, e); err != nil {
			o.log.Warn("event handler failed, will retry", "event", e.Type, "job", e.JobID, "error", err)
			return false
		}
		o.mu.Lock()
		o.queued[0] = job.Event{}
		o.queued = o.queued[1:]
		o.mu.Unlock()
	}
}
