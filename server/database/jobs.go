package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// CreateJob inserts a job.
func (db *DB) CreateJob(ctx context.Context, j *Job) error {
	now := time.Now().UTC()
	j.CreatedAt, j.UpdatedAt = now, now
	_, err := db.bun.NewInsert().Model(j).Exec(ctx)
	return mapErr(err, "insert job")
}

// JobByID loads a job with its video.
func (db *DB) JobByID(ctx context.Context, id string) (*Job, error) {
	j := new(Job)
	err := db.bun.NewSelect().Model(j).Relation("Video").Where("job.id = ?", id).Scan(ctx)
	return j, mapErr(err, "job")
}

// LatestJob returns the newest job of a type for a video.
func (db *DB) LatestJob(ctx context.Context, videoID int64, typ string) (*Job, error) {
	j := new(Job)
	err := db.bun.NewSelect().Model(j).Where("job.video_id = ? AND job.type = ?", videoID, typ).
		OrderExpr("job.created_at DESC").Limit(1).Scan(ctx)
	return j, mapErr(err, "latest job")
}

// JobsInStates lists jobs in any of the states, oldest first.
func (db *DB) JobsInStates(ctx context.Context, states ...string) ([]Job, error) {
	var js []Job
	err := db.bun.NewSelect().Model(&js).Relation("Video").Where("job.state IN (?)", bun.In(states)).
		OrderExpr("job.created_at ASC").Scan(ctx)
	return js, mapErr(err, "jobs in states")
}

// ListJobs returns a page of jobs in a state (all states when empty),
// newest first.
func (db *DB) ListJobs(ctx context.Context, state string, start, count int) ([]Job, int, error) {
	var js []Job
	q := db.bun.NewSelect().Model(&js).Relation("Video").OrderExpr("job.created_at DESC").
		Offset(int64(start)).Limit(int64(count))
	if state != "" {
		q = q.Where("job.state = ?", state)
	}
	total, err := q.ScanAndCount(ctx)
	return js, int(total), mapErr(err, "list jobs")
}

// UpdateJob writes the given columns of j. When fromStates is not empty
// the update only happens if the job is in one of them, and ErrNotFound
// says it was not: the guard makes repeated or late events harmless.
func (db *DB) UpdateJob(ctx context.Context, j *Job, fromStates []string, columns ...string) error {
	j.UpdatedAt = time.Now().UTC()
	q := db.bun.NewUpdate().Model(j).Column(append(columns, "updated_at")...).WherePK()
	if len(fromStates) > 0 {
		q = q.Where("state IN (?)", bun.In(fromStates))
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return mapErr(err, "update job")
	}
	return expectRow(res, "update job")
}

// VideosWithoutPendingJob lists the videos waiting for transcoding that
// have no job of jobType queued or running, oldest first.
func (db *DB) VideosWithoutPendingJob(ctx context.Context, jobType string) ([]Video, error) {
	var vs []Video
	pending := db.bun.NewSelect().TableExpr("jobs AS pj").ColumnExpr("1").
		Where("pj.video_id = video.id AND pj.type = ? AND pj.state IN (?)", jobType, bun.In([]string{JobQueued, JobProcessing}))
	err := db.videoQuery(&vs).Where("video.state = ?", StateToTranscode).
		Where("NOT EXISTS (?)", pending).OrderExpr("video.id ASC").Scan(ctx)
	return vs, mapErr(err, "videos without pending job")
}
