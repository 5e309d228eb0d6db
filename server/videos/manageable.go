package videos

import (
	"context"

	"cuttle.video/server/database"
)

// Manageable loads a video the user may change: its owner's, or any for
// moderators. Others get 403, or 404 when they may not even see it.
func (s *Service) Manageable(ctx context.Context, u *database.User, ref string) (*database.Video, error) {
	return s.manageable(ctx, u, ref)
}
