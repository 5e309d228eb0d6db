package jobs

import (
	"context"
	"errors"
	"slices"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/transcoder/job"
)

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
