package jobs

import (
	"context"
	"fmt"

	"cuttle.video/server/database"
	"cuttle.video/transcoder/job"
)

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
