package redisqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
)

var errLeaseEnded = errors.New("redisqueue: lease already ended")

// lease is one delivery of a job stream entry to this worker.
type lease struct {
	q       *Queue
	stream  string
	entry   string
	raw     string // the job's JSON as stored, moved on unchanged
	job     job.Job
	attempt int

	stopBeat context.CancelFunc
	beatDone chan struct{} // nil without heartbeats
	lost     atomic.Bool

	canceled   chan struct{}
	cancelOnce sync.Once

	// mu serialises heartbeats and settling, so a heartbeat never runs
	// against an entry the lease just removed.
	mu    sync.Mutex
	ended bool
}

var _ queue.Lease = (*lease)(nil)

// newLease holds entry for this worker and starts its heartbeats.
func (q *Queue) newLease(stream, entry, raw string, j job.Job, attempt int) *lease {
	l := &lease{q: q, stream: stream, entry: entry, raw: raw, job: j, attempt: attempt, canceled: make(chan struct{})}
	q.setActive(stream, entry, true)
	ctx, cancel := context.WithCancel(q.ctx)
	l.stopBeat = cancel
	if !q.noHeartbeat {
		l.beatDone = make(chan struct{})
		q.beats.Add(1)
		go l.beat(ctx)
	}
	return l
}

func (l *lease) Job() job.Job { return l.job }
func (l *lease) Attempt() int { return l.attempt }

func (l *lease) Canceled() <-chan struct{} { return l.canceled }

func (l *lease) cancel() {
	l.cancelOnce.Do(func() {
		l.q.log.Info("the server cancelled the job", "job", l.job.ID, "video", l.job.VideoUUID)
		close(l.canceled)
	})
}

// beat keeps the lease alive and listens for the cancellation of its
// video: at once through pub/sub, and at each beat through the cancel
// key, in case a message was missed while Redis was out of reach.
func (l *lease) beat(ctx context.Context) {
	defer l.q.beats.Done()
	defer close(l.beatDone)
	sub := l.q.client.Subscribe(ctx, l.q.cancelKey(l.job.VideoUUID))
	defer sub.Close()
	t := time.NewTicker(l.q.cfg.Heartbeat)
	defer t.Stop()
	l.checkCanceled(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Channel():
			l.cancel()
			continue
		case <-t.C:
		}
		l.checkCanceled(ctx)
		if !l.beatOnce(ctx) {
			return
		}
	}
}

func (l *lease) checkCanceled(ctx context.Context) {
	n, err := l.q.client.Exists(ctx, l.q.cancelKey(l.job.VideoUUID)).Result()
	if err == nil && n > 0 {
		l.cancel()
	}
}

// beatOnce resets the entry's idle time; false once there is nothing
// left to keep.
func (l *lease) beatOnce(ctx context.Context) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, l.q.cfg.Heartbeat)
	defer cancel()
	held, err := heartbeatScript.Run(ctx, l.q.client,
		[]string{l.stream}, workersGroup, l.q.cfg.WorkerName, l.entry).Int()
	if err != nil {
		if ctx.Err() == nil {
			// The next beat may get through before ClaimIdle runs out.
			l.q.log.Warn("heartbeat failed", "job", l.job.ID, "error", err)
		}
		return ctx.Err() == nil
	}
	if held == 0 {
		l.lost.Store(true)
		l.q.log.Warn("lease lost: another worker took the job over, or Redis forgot it", "job", l.job.ID)
		return false
	}
	return true
}

func (l *lease) event(t job.EventType) job.Event {
	return l.job.NewEvent(t, l.attempt, l.q.cfg.WorkerName)
}

func (l *lease) Progress(ctx context.Context, fraction float64) error {
	l.mu.Lock()
	ended := l.ended
	l.mu.Unlock()
	switch {
	case ended:
		return errLeaseEnded
	case l.lost.Load():
		return fmt.Errorf("job %s: %w", l.job.ID, ErrLeaseLost)
	}
	e := l.event(job.EventProgress)
	e.Progress = min(max(fraction, 0), 1)
	if err := l.q.publish(ctx, e); err != nil {
		return fmt.Errorf("redisqueue: progress of job %s: %w", l.job.ID, err)
	}
	return nil
}

// Complete reports the result even when the lease was lost: the result
// is good, and the server ignores a second completion.
func (l *lease) Complete(ctx context.Context, result any) error {
	raw, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("redisqueue: encode result of job %s: %w", l.job.ID, err)
	}
	e := l.event(job.EventCompleted)
	e.Result = raw
	if _, err := l.settle(ctx, false, e, ""); err != nil {
		return fmt.Errorf("redisqueue: complete job %s: %w", l.job.ID, err)
	}
	return nil
}

func (l *lease) Fail(ctx context.Context, cause error, permanent bool) error {
	e := l.event(job.EventFailed)
	if cause != nil {
		e.Error = cause.Error()
	} else {
		e.Error = "unknown error"
	}
	e.Final = permanent || l.attempt >= l.q.cfg.MaxAttempts
	to := l.stream
	fields := []any{"job", l.raw, "attempt", strconv.Itoa(l.attempt)}
	if e.Final {
		to = l.q.deadKey()
		fields = l.q.deadFields(l.raw, e.Error, l.attempt)
	}
	held, err := l.settle(ctx, true, e, to, fields...)
	if err != nil {
		return fmt.Errorf("redisqueue: fail job %s: %w", l.job.ID, err)
	}
	if !held {
		return fmt.Errorf("redisqueue: fail job %s: %w", l.job.ID, ErrLeaseLost)
	}
	return nil
}

// Release adds the job again as a new entry, which blocked workers get
// at once; the pending entry would only be taken over after ClaimIdle.
func (l *lease) Release(ctx context.Context) error {
	held, err := l.settle(ctx, true, job.Event{}, l.stream,
		"job", l.raw, "attempt", strconv.Itoa(l.attempt-1))
	if err != nil {
		return fmt.Errorf("redisqueue: release job %s: %w", l.job.ID, err)
	}
	if !held {
		return fmt.Errorf("redisqueue: release job %s: %w", l.job.ID, ErrLeaseLost)
	}
	return nil
}

// settle runs settleScript for the lease (see there), publishing e unless
// it has no type, and ends the lease unless it failed. It tells whether
// this worker still held the entry.
func (l *lease) settle(ctx context.Context, ownerOnly bool, e job.Event, to string, fields ...any) (bool, error) {
	held, err := l.settleLocked(ctx, ownerOnly, e, to, fields...)
	if err != nil {
		return false, err
	}
	l.stopBeat()
	if l.beatDone != nil {
		<-l.beatDone
	}
	l.q.setActive(l.stream, l.entry, false)
	return held, nil
}

func (l *lease) settleLocked(ctx context.Context, ownerOnly bool, e job.Event, to string, fields ...any) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return false, errLeaseEnded
	}
	held, err := l.q.settle(ctx, l.stream, l.entry, ownerOnly, e, to, fields...)
	if err != nil {
		// Still leased: the caller may try again, heartbeats go on.
		return false, err
	}
	l.ended = true
	return held, nil
}

// settle runs settleScript on entry of stream; see lease.settle.
func (q *Queue) settle(ctx context.Context, stream, entry string, ownerOnly bool, e job.Event, to string, fields ...any) (bool, error) {
	var event string
	if e.Type != "" {
		raw, err := json.Marshal(e)
		if err != nil {
			return false, fmt.Errorf("encode event: %w", err)
		}
		event = string(raw)
	}
	if to == "" {
		to = stream
	}
	only := "0"
	if ownerOnly {
		only = "1"
	}
	args := append([]any{workersGroup, q.cfg.WorkerName, entry, only, event, q.cfg.MaxLen}, fields...)
	held, err := settleScript.Run(ctx, q.client, []string{stream, q.eventsKey(), to}, args...).Int()
	if err != nil {
		return false, err
	}
	return held == 1, nil
}

func (q *Queue) deadFields(raw, reason string, attempt int) []any {
	return []any{
		"job", raw,
		"error", reason,
		"attempt", strconv.Itoa(attempt),
		"worker", q.cfg.WorkerName,
		"at", time.Now().UTC().Format(time.RFC3339Nano),
	}
}

// publish adds an event for the servers.
func (q *Queue) publish(ctx context.Context, e job.Event) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	return q.client.XAdd(ctx, &redis.XAddArgs{
		Stream: q.eventsKey(),
		MaxLen: q.cfg.MaxLen,
		Approx: true,
		Values: []any{"event", string(raw)},
	}).Err()
}
