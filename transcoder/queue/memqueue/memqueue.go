// Package memqueue is the queue of the embedded setup, where the server
// runs the workers itself: jobs live in memory, in order per type, and
// events go straight to the server's handler. Nothing survives a restart,
// so Waiting lists only what this process holds and the server queues
// again, at start, everything its database says is pending.
package memqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
	"cuttle.video/transcoder/settings"
)

// Config tunes a Queue. The zero value is usable.
type Config struct {
	// MaxAttempts is how many attempts a job gets; default
	// settings.MaxAttempts.
	MaxAttempts int
	// WorkerName names the workers in events; default "embedded".
	WorkerName string
	Logger     *slog.Logger
}

// Queue is an in-process queue.Queue.
type Queue struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	closed bool
	// done is closed by Close.
	done chan struct{}
	// waiting holds the jobs of each type in the order they are due.
	waiting map[job.Type][]item
	// held holds the IDs of the jobs waiting or leased.
	held map[string]bool
	// leases holds the leases not yet ended, for CancelVideo.
	leases map[*lease]bool
	// arrived is closed, and replaced, whenever a job is added, to wake
	// every blocked Take.
	arrived chan struct{}

	events outbox
}

// item is a waiting job and the attempts made at it so far.
type item struct {
	job   job.Job
	tries int
}

var _ queue.Queue = (*Queue)(nil)

// New returns an empty queue.
func New(cfg Config) *Queue {
	if cfg.MaxAttempts < 1 {
		cfg.MaxAttempts = settings.MaxAttempts
	}
	if cfg.WorkerName == "" {
		cfg.WorkerName = "embedded"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	log := cfg.Logger.With("queue", "memory")
	return &Queue{
		cfg:     cfg,
		log:     log,
		done:    make(chan struct{}),
		waiting: map[job.Type][]item{},
		held:    map[string]bool{},
		leases:  map[*lease]bool{},
		arrived: make(chan struct{}),
		events:  newOutbox(log),
	}
}

// Close ends blocked Take and Consume calls. Jobs still queued are lost.
func (q *Queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.done)
	}
	return nil
}

// Enqueue adds j at the end of its type's queue, unless a job with its ID
// is already waiting or leased.
func (q *Queue) Enqueue(ctx context.Context, j job.Job) error {
	if j.ID == "" || j.Type == "" {
		return errors.New("memqueue: enqueue: job without ID or type")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return queue.ErrClosed
	}
	if q.held[j.ID] {
		return nil
	}
	q.held[j.ID] = true
	q.push(item{job: j}, false)
	return nil
}

// push queues it at the back, or at the front; q.mu is held.
func (q *Queue) push(it item, front bool) {
	t := it.job.Type
	if front {
		q.waiting[t] = append([]item{it}, q.waiting[t]...)
	} else {
		q.waiting[t] = append(q.waiting[t], it)
	}
	close(q.arrived)
	q.arrived = make(chan struct{})
}

// Take leases the first waiting job of the first type in types that has
// one, waiting for one to arrive if none does.
func (q *Queue) Take(ctx context.Context, types ...job.Type) (queue.Lease, error) {
	if len(types) == 0 {
		return nil, errors.New("memqueue: take: no job types")
	}
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil, queue.ErrClosed
		}
		if err := ctx.Err(); err != nil {
			q.mu.Unlock()
			return nil, fmt.Errorf("memqueue: take: %w", err)
		}
		for _, t := range types {
			if w := q.waiting[t]; len(w) > 0 {
				it := w[0]
				w[0] = item{}
				q.waiting[t] = w[1:]
				l := &lease{q: q, job: it.job, attempt: it.tries + 1, canceled: make(chan struct{})}
				q.leases[l] = true
				q.mu.Unlock()
				return l, nil
			}
		}
		arrived := q.arrived
		q.mu.Unlock()
		select {
		case <-arrived:
		case <-q.done:
		case <-ctx.Done():
		}
	}
}

// Waiting lists the jobs waiting or leased.
func (q *Queue) Waiting(ctx context.Context) (map[string]bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, queue.ErrClosed
	}
	ids := make(map[string]bool, len(q.held))
	for id := range q.held {
		ids[id] = true
	}
	return ids, nil
}

// Consume hands events to h until ctx ends; see outbox.
func (q *Queue) Consume(ctx context.Context, h queue.Handler) error {
	if h == nil {
		return errors.New("memqueue: consume: nil handler")
	}
	if err := q.events.consume(ctx, q.done, h); err != nil {
		if errors.Is(err, errClosed) {
			return queue.ErrClosed
		}
		return fmt.Errorf("memqueue: consume: %w", err)
	}
	return nil
}

// CancelVideo drops the video's waiting jobs and cancels its leases.
func (q *Queue) CancelVideo(ctx context.Context, videoUUID string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for t, items := range q.waiting {
		q.waiting[t] = slices.DeleteFunc(items, func(it item) bool {
			if it.job.VideoUUID != videoUUID {
				return false
			}
			delete(q.held, it.job.ID)
			return true
		})
	}
	for l := range q.leases {
		if l.job.VideoUUID == videoUUID {
			l.cancel()
		}
	}
	return nil
}

// forget drops an ended lease.
func (q *Queue) forget(l *lease) {
	q.mu.Lock()
	delete(q.leases, l)
	q.mu.Unlock()
}

// settle ends a lease: the job is dropped, or queued again at the front
// or back with tries attempts made.
func (q *Queue) settle(j job.Job, requeue, front bool, tries int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return queue.ErrClosed
	}
	if requeue {
		q.push(item{job: j, tries: tries}, front)
	} else {
		delete(q.held, j.ID)
	}
	return nil
}
