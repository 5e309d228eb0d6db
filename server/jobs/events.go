package jobs

import (
	"context"
	"errors"
	"fmt"

	"cuttle.video/server/database"
	"cuttle.video/transcoder/job"
)

// progressStep limits database writes for progress to one per percent.
const progressStep = 0.01

// Handle applies a worker's event. It is safe to call with repeated,
// late or reordered events: guards on the job's state make them no-ops.
func (s *Service) Handle(ctx context.Context, e job.Event) error {
	if e.Type == job.EventQueueReset {
		s.log.WarnContext(ctx, "the job queue lost its state; re-queueing pending jobs")
		return s.Reconcile(ctx)
	}
	j, err := s.db.JobByID(ctx, e.JobID)
	if errors.Is(err, database.ErrNotFound) {
		// The video was deleted while its job ran.
		return nil
	}
	if err != nil {
		return err
	}
	switch e.Type {
	case job.EventProgress:
		return s.progress(ctx, j, e)
	case job.EventCompleted:
		return s.complete(ctx, j, e)
	case job.EventFailed:
		_, err := s.markFailed(ctx, j, e, e.Error, e.Final)
		return err
	default:
		s.log.WarnContext(ctx, "unknown job event", "type", e.Type, "job", e.JobID)
		return nil
	}
}

// progress records how far the attempt holding the job is. Reports of an
// earlier attempt are dropped, as its completion would be: they would
// show another worker's progress and name it. Another worker's report of
// the current attempt is taken: a job handed back on shutdown is
// delivered again under the same attempt, and that report is what makes
// the new worker the job's holder.
func (s *Service) progress(ctx context.Context, j *database.Job, e job.Event) error {
	if e.Attempt < j.Attempts {
		return nil
	}
	if j.State == database.JobProcessing && e.Progress-j.Progress < progressStep && e.Attempt == j.Attempts {
		return nil
	}
	_, err := markProcessing(ctx, s.db, j, e)
	return err
}

// complete hands a result to its job's kind, unless the job is done or,
// for a kind that takes no late results, the event comes from an attempt
// that no longer holds the job.
func (s *Service) complete(ctx context.Context, j *database.Job, e job.Event) error {
	if j.State == database.JobCompleted {
		return nil
	}
	k, err := kindOf(j)
	if err != nil {
		return err
	}
	if !k.lateResults() && (j.State == database.JobFailed || staleEvent(j, e)) {
		s.log.WarnContext(ctx, "ignored a completion from a worker that does not hold the job",
			"job", j.ID, "state", j.State, "attempt", e.Attempt, "worker", e.Worker)
		return nil
	}
	return k.complete(ctx, s, j, e)
}

// refuse fails the job for good, for the worker attempt e reported: its
// result is not one the server publishes.
func (s *Service) refuse(ctx context.Context, j *database.Job, e job.Event, msg string) error {
	_, err := s.markFailed(ctx, j, e, msg, true)
	return err
}

// A kind is what the jobs of one type do beyond the life every job
// shares (queued, processing, completed or failed, written in states.go):
// what a worker is asked, what its result changes, and what a job's end
// means for its video. Each kind is a file of its own.
type kind interface {
	// payload builds the payload of a job of the video, with fresh
	// presigned URLs, granting writes under prefix and nowhere else.
	payload(ctx context.Context, s *Service, v *database.Video, prefix string) (any, error)
	// lateResults tells whether a result is taken from an attempt that no
	// longer holds the job, even once the job failed; otherwise such a
	// result is dropped.
	lateResults() bool
	// complete checks the result e carries and publishes it, ending with
	// markCompleted; a result that cannot be published is refused.
	complete(ctx context.Context, s *Service, j *database.Job, e job.Event) error
	// failed runs in the transaction that fails the job for good.
	failed(ctx context.Context, tx *database.DB, j *database.Job) error
	// retried runs in the transaction that queues a failed job again.
	retried(ctx context.Context, tx *database.DB, j *database.Job) error
}

// kinds holds every job type the server queues; runners have the mirror
// table of what they run.
var kinds = map[job.Type]kind{
	job.VODHLS:     vodHLSKind{},
	job.Storyboard: storyboardKind{},
}

// kindOf returns the kind of a stored job.
func kindOf(j *database.Job) (kind, error) {
	k, ok := kinds[job.Type(j.Type)]
	if !ok {
		return nil, fmt.Errorf("jobs: job %s has type %q, which this server does not know", j.ID, j.Type)
	}
	return k, nil
}
