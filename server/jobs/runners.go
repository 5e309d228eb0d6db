package jobs

import (
	"context"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// Runner is a worker as the jobs it ran describe it: remote runners
// and the server's embedded workers alike. Runners do not register, so
// one that never took a job is not known.
type Runner struct {
	Name     string
	LastSeen time.Time
	Jobs     int
	// Current is the job it is running, or nil when idle.
	Current *database.Job
}

// maxRunners bounds the list.
const maxRunners = 50

// Runners lists the workers seen in the jobs, most recent first.
func (s *Service) Runners(ctx context.Context) ([]Runner, error) {
	ws, err := s.db.JobWorkers(ctx, maxRunners)
	if err != nil {
		return nil, problem.Internal(err)
	}
	active, err := s.db.JobsInStates(ctx, database.JobProcessing)
	if err != nil {
		return nil, problem.Internal(err)
	}
	out := make([]Runner, 0, len(ws))
	for _, w := range ws {
		r := Runner{Name: w.Worker, LastSeen: w.LastSeen, Jobs: w.Jobs}
		for i := range active {
			if active[i].Worker == w.Worker {
				r.Current = &active[i]
			}
		}
		out = append(out, r)
	}
	return out, nil
}
