package chapters

import (
	"context"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// Videos is what chapters need from the videos processor: the privacy
// and management rules.
type Videos interface {
	Get(ctx context.Context, viewer *database.User, ref string) (*database.Video, error)
	Manageable(ctx context.Context, u *database.User, ref string) (*database.Video, error)
}

// Service is the chapters processor.
type Service struct {
	db     *database.DB
	videos Videos
}

// New returns a Service.
func New(db *database.DB, videos Videos) *Service {
	return &Service{db: db, videos: videos}
}

// Of returns a video's chapters: the ones set through the API, or else
// the ones its description lists.
func (s *Service) Of(ctx context.Context, v *database.Video) ([]Chapter, error) {
	manual, isManual, err := s.db.ManualChapters(ctx, v.ID)
	if err != nil {
		return nil, problem.Internal(err)
	}
	if !isManual {
		return Parse(v.Description), nil
	}
	out := make([]Chapter, 0, len(manual))
	for _, c := range manual {
		out = append(out, Chapter{Timecode: c.Timecode, Title: c.Title})
	}
	return out, nil
}

// Get returns the chapters of a video the viewer may see, with the video.
func (s *Service) Get(ctx context.Context, viewer *database.User, ref string) (*database.Video, []Chapter, error) {
	v, err := s.videos.Get(ctx, viewer, ref)
	if err != nil {
		return nil, nil, err
	}
	cs, err := s.Of(ctx, v)
	return v, cs, err
}

// Replace sets a video's chapters. From then on they are the video's
// chapters, whatever its description says, even when the list is empty.
func (s *Service) Replace(ctx context.Context, u *database.User, ref string, in []Chapter) error {
	v, err := s.videos.Manageable(ctx, u, ref)
	if err != nil {
		return err
	}
	cs, bad := Check(in)
	if bad != nil {
		return problem.Invalid(bad)
	}
	rows := make([]database.Chapter, 0, len(cs))
	for _, c := range cs {
		rows = append(rows, database.Chapter{Timecode: c.Timecode, Title: c.Title})
	}
	if err := s.db.ReplaceChapters(ctx, v.ID, rows); err != nil {
		return problem.Internal(err)
	}
	return nil
}
