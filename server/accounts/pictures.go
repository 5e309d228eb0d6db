package accounts

import (
	"context"
	"errors"
	"io"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
)

// Pictures makes and removes the files of avatars and banners;
// images.Service is one.
type Pictures interface {
	// MakePicture checks and stores a picture of kind p read from r,
	// and returns its name; its refusals are problems for the client.
	MakePicture(ctx context.Context, p media.Picture, r io.Reader) (string, error)
	RemovePicture(ctx context.Context, p media.Picture, name string)
}

// UsePictures sets what makes avatars and banners. Set it before the
// server serves.
func (s *Service) UsePictures(p Pictures) { s.pictures = p }

// SetAvatar replaces the avatar of u's account with the picture read
// from r, or removes it when r is nil.
func (s *Service) SetAvatar(ctx context.Context, u *database.User, r io.Reader) (*database.Account, error) {
	a := *u.Account
	updated, err := s.replacePicture(ctx, (*database.Account)(nil), a.ID, &a.Avatar, media.Avatar, r)
	if err != nil {
		return nil, err
	}
	if !updated.IsZero() {
		a.UpdatedAt = updated
	}
	return &a, nil
}

// SetChannelPicture replaces the avatar or banner (p) of the channel
// named by handle with the picture read from r, or removes it when r is
// nil, for a user who may manage the channel.
func (s *Service) SetChannelPicture(ctx context.Context, u *database.User, handle string, p media.Picture, r io.Reader) (*database.Channel, error) {
	c, err := s.Channel(ctx, handle)
	if err != nil {
		return nil, err
	}
	if !CanManageChannel(u, c) {
		return nil, problem.Forbidden("you cannot manage this channel")
	}
	updated, err := s.replacePicture(ctx, (*database.Channel)(nil), c.ID, ChannelPicture(c, p), p, r)
	if err != nil {
		return nil, err
	}
	if !updated.IsZero() {
		c.UpdatedAt = updated
	}
	return c, nil
}

// ChannelPicture is the channel's picture of kind p.
func ChannelPicture(c *database.Channel, p media.Picture) *database.Picture {
	if p.Kind == media.Banner.Kind {
		return &c.Banner
	}
	return &c.Avatar
}

// replacePicture makes the new picture (none when r is nil) and puts it
// in place of cur in the row of model with id, then removes the old
// picture's files; it returns when the row was updated, zero when there
// was nothing to remove. A failure leaves the old picture whole; of two
// requests replacing the same picture at once, the second is refused
// rather than leaving the first one's files behind.
func (s *Service) replacePicture(ctx context.Context, model any, id int64, cur *database.Picture, p media.Picture, r io.Reader) (time.Time, error) {
	if s.pictures == nil {
		return time.Time{}, problem.NotFound(p.Kind + " uploads")
	}
	old := cur.Name
	if r == nil && old == "" {
		return time.Time{}, nil
	}
	var pic database.Picture
	if r != nil {
		name, err := s.pictures.MakePicture(ctx, p, r)
		if err != nil {
			return time.Time{}, err
		}
		pic = database.Picture{Name: name, At: s.now().UTC()}
	}
	updated, err := s.db.ReplacePicture(ctx, model, id, p.Kind, old, pic)
	if err != nil {
		if pic.Name != "" {
			s.pictures.RemovePicture(ctx, p, pic.Name)
		}
		if errors.Is(err, database.ErrNotFound) {
			return time.Time{}, problem.Conflict("the %s changed meanwhile; send it again", p.Kind)
		}
		return time.Time{}, problem.Internal(err)
	}
	*cur = pic
	if old != "" {
		s.pictures.RemovePicture(ctx, p, old)
	}
	return updated, nil
}

// removePictures removes the picture files of channels and of an account
// (nil for none) whose rows are gone.
func (s *Service) removePictures(ctx context.Context, a *database.Account, chs []database.Channel) {
	if s.pictures == nil {
		return
	}
	if a != nil && a.Avatar.Name != "" {
		s.pictures.RemovePicture(ctx, media.Avatar, a.Avatar.Name)
	}
	for i := range chs {
		for _, p := range media.Pictures {
			if name := ChannelPicture(&chs[i], p).Name; name != "" {
				s.pictures.RemovePicture(ctx, p, name)
			}
		}
	}
}
