package images

import (
	"context"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"

	"github.com/google/uuid"

	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/transcoder/pipeline"
)

// The pictures of accounts and channels (avatars and banners) follow the
// rules of a video's images sent by its owner: JPEG or PNG, bounded in
// bytes and sides, decoded and re-encoded, never served as they came.

// MakePicture checks a picture sent as an actor's picture of kind p (in
// the form field "{kind}file", as PeerTube's clients send it), stores it
// at each of p's sizes in media storage under a fresh name, and returns
// the name.
func (s *Service) MakePicture(ctx context.Context, p media.Picture, r io.Reader) (string, error) {
	pic, err := decodeClientPicture(p.Kind+"file", r)
	if err != nil {
		return "", err
	}
	set, err := s.newSet()
	if err != nil {
		return "", problem.Internal(err)
	}
	defer set.Remove()
	name := uuid.NewString()
	for _, sz := range p.Sizes {
		if err := s.storePicture(ctx, p, name, sz, pic, set.dir); err != nil {
			s.RemovePicture(ctx, p, name)
			return "", problem.Internal(err)
		}
	}
	return name, nil
}

func (s *Service) storePicture(ctx context.Context, p media.Picture, name string, sz media.Size, pic image.Image, dir string) error {
	file := p.File(name, sz)
	fit, cancel := context.WithTimeout(ctx, pictureTimeout)
	defer cancel()
	if err := pipeline.FitPicture(fit, s.ffmpeg, pic, pipeline.Still{File: file, Width: sz.Width, Height: sz.Height, Fill: true}, dir); err != nil {
		return fmt.Errorf("images: %s: %w", p.Kind, err)
	}
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		return fmt.Errorf("images: %s: %w", p.Kind, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("images: %s: %w", p.Kind, err)
	}
	key, _ := p.Key(file)
	if err := s.media.Put(ctx, key, f, fi.Size(), "image/jpeg"); err != nil {
		return fmt.Errorf("images: store %s: %w", p.Kind, err)
	}
	return nil
}

// RemovePicture deletes the files of the picture of kind p called name.
// A file left behind is only wasted space, so failures are logged.
func (s *Service) RemovePicture(ctx context.Context, p media.Picture, name string) {
	for _, sz := range p.Sizes {
		key, ok := p.Key(p.File(name, sz))
		if !ok {
			continue
		}
		if err := s.media.Delete(ctx, key); err != nil {
			s.log.WarnContext(ctx, "remove picture", "kind", p.Kind, "name", name, "err", err)
		}
	}
}
