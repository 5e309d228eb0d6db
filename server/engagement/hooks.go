package engagement

import (
	"context"

	"cuttle.video/server/database"
)

// Hooks are told, once committed, of what local users do that other
// servers should hear of. Each may be nil.
type Hooks struct {
	// Commented is told of a comment made here.
	Commented func(ctx context.Context, v *database.Video, c *database.Comment)
	// Uncommented is told of a comment deleted here, as it was before:
	// with its author.
	Uncommented func(ctx context.Context, v *database.Video, c *database.Comment)
	// Rated is told of a rating an account changed, from old to rating
	// ("" for none).
	Rated func(ctx context.Context, v *database.Video, account *database.Account, old, rating string)
	// Viewed is told of a view counted here.
	Viewed func(ctx context.Context, v *database.Video)
	// ViewsWritten is told of the videos whose view counts a flush
	// raised.
	ViewsWritten func(ctx context.Context, videoIDs []int64)
}

// SetHooks sets who is told of comments and ratings; set them before
// the server serves.
func (s *Service) SetHooks(h Hooks) {
	s.hooks = h
	s.Views.written = h.ViewsWritten
}
