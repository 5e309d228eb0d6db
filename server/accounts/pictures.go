package accounts

import (
	"context"
	"io"

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
	err := s.replacePicture(ctx, &a.Avatar, media.Avatar, r, func(cols ...string) error {
		return s.db.UpdateAccount(ctx, &a, cols...)
	})
	if err != nil {
		return nil, err
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
	err = s.replacePicture(ctx, ChannelPicture(c, p), p, r, func(cols ...string) error {
		return s.db.UpdateChannel(ctx, c, cols...)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// channelPicture is the channel's picture of kind p.
func ChannelPicture(c *database.Channel, p media.Picture) *database.Picture {
	if p.Kind == media.Banner.Kind {
		return &c.Banner
	}
	return &c.Avatar
}

// replacePicture makes the new picture (none when r is nil), saves it in
// cur with save, then removes the old picture's files: a failure leaves
// the old picture whole.
func (s *Service) replacePicture(ctx context.Context, cur *database.Picture, p media.Picture, r io.Reader, save func(cols ...string) error) error {
	if s.pictures == nil {
		return problem.NotFound(p.Kind + " uploads")
	}
	old := cur.Name
	if r == nil && old == "" {
		return nil
	}
	*cur = database.Picture{}
	if r != nil {
		name, err := s.pictures.MakePicture(ctx, p, r)
		if err != nil {
			return err
		}
		*cur = database.Picture{Name: name, At: s.now().UTC()}
	}
	if err := save(p.Kind+"_name", p.Kind+"_at"); err != nil {
		if cur.Name != "" {
			s.pictures.RemovePicture(ctx, p, cur.Name)
		}
		return notFound(err, p.Kind+"'s owner")
	}
	if old != "" {
		s.pictures.RemovePicture(ctx, p, old)
	}
	return nil
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
