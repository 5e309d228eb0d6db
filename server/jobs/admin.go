package jobs

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/transcoder/job"
)

// List returns a page of jobs in a PeerTube state name ("" for all).
func (s *Service) List(ctx context.Context, state string, start, count int) ([]database.Job, int, error) {
	ours := ""
	if state != "" {
		var ok bool
		if ours, ok = StateOfPeerTube(state); !ok {
			return nil, 0, problem.Invalid(map[string]string{"state": "must be one of " + strings.Join(PeerTubeStates(), ", ")})
		}
	}
	js, total, err := s.db.ListJobs(ctx, ours, start, count)
	if err != nil {
		return nil, 0, problem.Internal(err)
	}
	return js, total, nil
}

// Retry queues a failed job again from its first attempt.
func (s *Service) Retry(ctx context.Context, id string) error {
	j, err := s.db.JobByID(ctx, id)
	if errors.Is(err, database.ErrNotFound) {
		return problem.NotFound("job")
	}
	if err != nil {
		return problem.Internal(err)
	}
	if j.State != database.JobFailed {
		return problem.New(http.StatusConflict, "only failed jobs can be retried; this one is %s", j.State)
	}
	var moved bool
	err = s.db.Tx(ctx, func(tx *database.DB) error {
		var err error
		moved, err = markRetried(ctx, tx, j)
		return err
	})
	if errors.Is(err, database.ErrNotFound) || (err == nil && !moved) {
		return problem.Conflict("the job changed state meanwhile")
	}
	if err != nil {
		return problem.Internal(err)
	}
	if err := s.enqueue(ctx, j); err != nil {
		s.log.WarnContext(ctx, "queue retried job; will retry", "job", j.ID, "err", err)
		s.retryLater()
	}
	return nil
}

// Latest returns the newest transcoding job of a video, or nil.
func (s *Service) Latest(ctx context.Context, videoID int64) (*database.Job, error) {
	j, err := s.db.LatestJob(ctx, videoID, string(job.VODHLS))
	if errors.Is(err, database.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, problem.Internal(err)
	}
	return j, nil
}
