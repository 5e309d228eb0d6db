package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/transcoder/job"
)

// The life every job shares, whatever its type: the events workers send
// (Handle), each state transition written once with the states it may
// leave, PeerTube's names of the states, and the table of kinds, which
// hold what differs between job types. A new job type is a file of its
// own (see vodhls.go, storyboard.go) and a line in that table.

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
// shares (queued, processing, completed or failed, written above):
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

// The life of a job: recorded queued; processing from the first report
// of a worker; completed once its result is published, or failed for
// good. A failure that is not final queues it again, and an admin may
// queue a failed job again. Each transition is written once, below, with
// the states it may leave. The database applies it only to a job still
// in one of them, so the loser of a race between events (late, repeated
// or reordered ones) changes nothing and learns so from a false.

// pending are the states of a job a worker may still be running.
var pending = []string{database.JobQueued, database.JobProcessing}

// move writes columns of j if the job is still in a state of from.
func move(ctx context.Context, db *database.DB, j *database.Job, from []string, columns ...string) (bool, error) {
	err := db.UpdateJob(ctx, j, from, columns...)
	if errors.Is(err, database.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// markProcessing records the progress e reports and makes its attempt and
// worker the job's holders.
func markProcessing(ctx context.Context, db *database.DB, j *database.Job, e job.Event) (bool, error) {
	j.Progress, j.Attempts, j.Worker = min(max(e.Progress, 0), 1), e.Attempt, e.Worker
	cols := []string{"progress", "attempts", "worker", "state"}
	if j.State == database.JobQueued {
		now := time.Now().UTC()
		j.StartedAt = &now
		cols = append(cols, "started_at")
	}
	j.State = database.JobProcessing
	return move(ctx, db, j, pending, cols...)
}

// completedFrom lists the states j may complete from: a kind that takes
// late results completes even a failed job.
func completedFrom(j *database.Job) []string {
	if k, err := kindOf(j); err == nil && k.lateResults() {
		return append(slices.Clone(pending), database.JobFailed)
	}
	return pending
}

// markCompleted records, in tx, that the attempt e reported published
// the job's outputs under prefix.
func markCompleted(ctx context.Context, tx *database.DB, j *database.Job, e job.Event, prefix string) (bool, error) {
	now := time.Now().UTC()
	j.State, j.Progress, j.Error, j.FinishedAt, j.Attempts, j.Worker, j.OutputPrefix =
		database.JobCompleted, 1, "", &now, e.Attempt, e.Worker, prefix
	return move(ctx, tx, j, completedFrom(j),
		"state", "progress", "error", "finished_at", "attempts", "worker", "output_prefix")
}

// markFailed records that the attempt e names failed with msg. Unless
// final, the job is queued again; the queue delivers the next attempt. A
// final failure ends the job and tells its kind.
func (s *Service) markFailed(ctx context.Context, j *database.Job, e job.Event, msg string, final bool) (bool, error) {
	if !slices.Contains(pending, j.State) {
		return false, nil
	}
	k, err := kindOf(j)
	if err != nil {
		return false, err
	}
	j.Attempts, j.Error, j.Worker = e.Attempt, jobError(msg), e.Worker
	if !final {
		j.State = database.JobQueued
		return move(ctx, s.db, j, pending, "state", "attempts", "error", "worker")
	}
	var moved bool
	err = s.db.Tx(ctx, func(tx *database.DB) error {
		now := time.Now().UTC()
		j.State, j.FinishedAt = database.JobFailed, &now
		var err error
		if moved, err = move(ctx, tx, j, pending, "state", "attempts", "error", "worker", "finished_at"); !moved || err != nil {
			return err
		}
		return k.failed(ctx, tx, j)
	})
	return moved && err == nil, err
}

// markRetried records, in tx, that a failed job is queued again from its
// first attempt, and tells its kind.
func markRetried(ctx context.Context, tx *database.DB, j *database.Job) (bool, error) {
	k, err := kindOf(j)
	if err != nil {
		return false, err
	}
	j.State, j.Attempts, j.Progress, j.Error, j.StartedAt, j.FinishedAt = database.JobQueued, 0, 0, "", nil, nil
	moved, err := move(ctx, tx, j, []string{database.JobFailed}, "state", "attempts", "progress", "error", "started_at", "finished_at")
	if !moved || err != nil {
		return false, err
	}
	return true, k.retried(ctx, tx, j)
}

// peertubeStates names the job states as PeerTube's job list does, in
// the order lists of them show.
var peertubeStates = []struct{ ours, theirs string }{
	{database.JobQueued, "waiting"},
	{database.JobProcessing, "active"},
	{database.JobFailed, "failed"},
	{database.JobCompleted, "completed"},
}

// PeerTubeState is PeerTube's name of a job state.
func PeerTubeState(state string) string {
	for _, s := range peertubeStates {
		if s.ours == state {
			return s.theirs
		}
	}
	return ""
}

// StateOfPeerTube is the job state PeerTube calls name; false when it
// names none.
func StateOfPeerTube(name string) (string, bool) {
	for _, s := range peertubeStates {
		if s.theirs == name {
			return s.ours, true
		}
	}
	return "", false
}

// PeerTubeStates lists PeerTube's names of the job states, in the order
// lists of them show.
func PeerTubeStates() []string {
	names := make([]string, len(peertubeStates))
	for i, s := range peertubeStates {
		names[i] = s.theirs
	}
	return names
}
