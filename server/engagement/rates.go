package engagement

import (
	"context"
	"errors"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// Ratings as PeerTube's API names them; "none" takes a rating back.
const (
	Like    = database.RatingLike
	Dislike = database.RatingDislike
	None    = "none"
)

// Rate sets the user's rating of a video they may see.
func (s *Service) Rate(ctx context.Context, u *database.User, ref, rating string) error {
	stored := rating
	switch rating {
	case Like, Dislike:
	case None:
		stored = ""
	default:
		return problem.Invalid(map[string]string{"rating": "must be like, dislike or none"})
	}
	v, err := s.videos.Get(ctx, u, ref)
	if err != nil {
		return err
	}
	old, err := s.db.SetRating(ctx, v.ID, u.Account.ID, stored)
	if errors.Is(err, database.ErrConflict) {
		return problem.Conflict("another rating of this video by you arrived at the same time; send yours again")
	}
	if err != nil {
		return problem.Internal(err)
	}
	if old != stored && s.hooks.Rated != nil {
		s.hooks.Rated(context.WithoutCancel(ctx), v, u.Account, old, stored)
	}
	return nil
}

// RatingOf returns the user's rating of a video they may see: like,
// dislike or none.
func (s *Service) RatingOf(ctx context.Context, u *database.User, ref string) (*database.Video, string, error) {
	v, err := s.videos.Get(ctx, u, ref)
	if err != nil {
		return nil, "", err
	}
	r, err := s.db.Rating(ctx, v.ID, u.Account.ID)
	if err != nil {
		return nil, "", problem.Internal(err)
	}
	if r == "" {
		r = None
	}
	return v, r, nil
}
