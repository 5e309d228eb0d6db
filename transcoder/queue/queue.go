// Package queue carries jobs from the server to workers, and the workers'
// events back, behind one interface with two implementations: Redis
// Streams for runners on other machines (package redisqueue) and an
// in-process queue for the embedded setup (package memqueue). The
// server's database stays the source of truth about each job; a queue
// only has to deliver.
package queue

import (
	"context"
	"errors"

	"cuttle.video/transcoder/job"
)

// ErrClosed is returned once the queue is closed.
var ErrClosed = errors.New("queue: closed")

// Queue is both ends: the server enqueues and consumes events, workers
// take leases.
type Queue interface {
	// Enqueue adds a job. Enqueueing a job ID that is already waiting is
	// harmless: workers complete a job once, the server ignores repeats.
	Enqueue(ctx context.Context, j job.Job) error
	// Take blocks until a job of one of the types can be leased to this
	// worker, or ctx ends.
	Take(ctx context.Context, types ...job.Type) (Lease, error)
	// Consume delivers events to h until ctx ends. It is called by the
	// server, once per process.
	Consume(ctx context.Context, h Handler) error
	// Waiting lists the IDs of the jobs the queue holds (waiting or
	// leased), so the server can re-queue jobs the queue lost.
	Waiting(ctx context.Context) (map[string]bool, error)
	// CancelVideo tells the workers holding jobs of a deleted video to
	// stop them; their leases' Canceled channels close.
	CancelVideo(ctx context.Context, videoUUID string) error
	Close() error
}

// Handler receives events on the server. An error asks for the event to
// be delivered again later.
type Handler func(ctx context.Context, e job.Event) error

// Lease is a job held by one worker. While it is held the queue keeps
// the job from other workers (Redis: heartbeats); if the worker dies, the
// job goes to another one after a timeout.
type Lease interface {
	Job() job.Job
	// Attempt is 1 on the first delivery of the job.
	Attempt() int
	// Progress reports the fraction done, 0 to 1.
	Progress(ctx context.Context, fraction float64) error
	// Complete reports the result and removes the job from the queue.
	Complete(ctx context.Context, result any) error
	// Fail reports a failed attempt. A permanent failure, or one past the
	// retry limit, goes to the dead letters with its error; any other is
	// retried.
	Fail(ctx context.Context, cause error, permanent bool) error
	// Release hands the job back untouched, for a worker shutting down.
	Release(ctx context.Context) error
	// Canceled is closed when the server asks for the job to stop, as its
	// video was deleted.
	Canceled() <-chan struct{}
}
