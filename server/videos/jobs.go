package videos

import "context"

// JobCanceller stops the jobs of a video whose row is gone, wherever
// they run; the transcoding queue is one.
type JobCanceller interface {
	CancelVideo(ctx context.Context, videoUUID string) error
}

// WithJobCanceller makes deleting a video stop its running jobs, so a
// deleted upload does not keep a worker busy.
func WithJobCanceller(c JobCanceller) Option {
	return func(s *Service) { s.p.jobs = c }
}
