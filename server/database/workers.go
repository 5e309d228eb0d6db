package database

import (
	"context"
	"time"
)

// WorkerSummary is what the jobs table tells about one worker: the
// runners and embedded workers that took jobs.
type WorkerSummary struct {
	Worker   string    `bun:"worker"`
	LastSeen time.Time `bun:"last_seen"`
	Jobs     int       `bun:"jobs"`
	Active   int       `bun:"active"`
}

// JobWorkers summarises the workers named by jobs, most recently seen
// first.
func (db *DB) JobWorkers(ctx context.Context, limit int) ([]WorkerSummary, error) {
	var out []WorkerSummary
	err := db.bun.NewSelect().TableExpr("jobs AS job").
		ColumnExpr("job.worker AS worker").
		ColumnExpr("MAX(job.updated_at) AS last_seen").
		ColumnExpr("COUNT(*) AS jobs").
		ColumnExpr("SUM(CASE WHEN job.state = ? THEN 1 ELSE 0 END) AS active", JobProcessing).
		Where("job.worker <> ''").
		GroupExpr("job.worker").
		OrderExpr("last_seen DESC").
		Limit(int64(limit)).
		Scan(ctx, &out)
	return out, mapErr(err, "job workers")
}
