package memqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
)

var errLeaseEnded = errors.New("memqueue: lease already ended")

type lease struct {
	q       *Queue
	job     job.Job
	attempt int

	canceled   chan struct{}
	cancelOnce sync.Once

	mu    sync.Mutex
	ended bool
}

var _ queue.Lease = (*lease)(nil)

func (l *lease) Job() job.Job { return l.job }
func (l *lease) Attempt() int { return l.attempt }

func (l *lease) Canceled() <-chan struct{} { return l.canceled }

func (l *lease) cancel() { l.cancelOnce.Do(func() { close(l.canceled) }) }

// end marks the lease ended; false if it already was.
func (l *lease) end() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return false
	}
	l.ended = true
	l.q.forget(l)
	return true
}

func (l *lease) event(t job.EventType) job.Event {
	return l.job.NewEvent(t, l.attempt, l.q.cfg.WorkerName)
}

func (l *lease) Progress(ctx context.Context, fraction float64) error {
	l.mu.Lock()
	ended := l.ended
	l.mu.Unlock()
	if ended {
		return errLeaseEnded
	}
	e := l.event(job.EventProgress)
	e.Progress = min(max(fraction, 0), 1)
	l.q.events.send(ctx, e)
	return nil
}

func (l *lease) Complete(ctx context.Context, result any) error {
	raw, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("memqueue: encode result of job %s: %w", l.job.ID, err)
	}
	if !l.end() {
		return errLeaseEnded
	}
	if err := l.q.settle(l.job, false, false, 0); err != nil {
		return err
	}
	e := l.event(job.EventCompleted)
	e.Result = raw
	l.q.events.send(ctx, e)
	return nil
}

// Fail reports the failure before the job is queued again, so that the
// server cannot hear of the next attempt first.
func (l *lease) Fail(ctx context.Context, cause error, permanent bool) error {
	if !l.end() {
		return errLeaseEnded
	}
	e := l.event(job.EventFailed)
	e.Error = "unknown error"
	if cause != nil {
		e.Error = cause.Error()
	}
	e.Final = permanent || l.attempt >= l.q.cfg.MaxAttempts
	if e.Final {
		l.q.log.Warn("job failed for good", "job", l.job.ID, "attempt", l.attempt, "error", e.Error)
	}
	l.q.events.send(ctx, e)
	return l.q.settle(l.job, !e.Final, false, l.attempt)
}

// Release puts the job back first in line, this attempt not counted.
func (l *lease) Release(ctx context.Context) error {
	if !l.end() {
		return errLeaseEnded
	}
	return l.q.settle(l.job, true, true, l.attempt-1)
}
