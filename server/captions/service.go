// Package captions holds the rules of a video's captions: WebVTT or SRT
// files uploaded per language, kept as WebVTT in the video's media
// directory beside its HLS renditions (so whatever protects the video's
// files protects them too), and listed in its master playlist as
// subtitle renditions.
package captions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"cuttle.video/server/database"
	"cuttle.video/server/languages"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/storage"
)

// MaxFileSize bounds an uploaded caption file.
const MaxFileSize = 10 << 20

// Videos is what captions need from the videos processor.
type Videos interface {
	Get(ctx context.Context, viewer *database.User, ref string) (*database.Video, error)
	Manageable(ctx context.Context, u *database.User, ref string) (*database.Video, error)
}

// Service is the captions processor.
type Service struct {
	db     *database.DB
	media  storage.Store
	videos Videos
}

// New returns a Service.
func New(db *database.DB, st storage.Store, videos Videos) *Service {
	return &Service{db: db, media: st, videos: videos}
}

// List returns the captions of a video the viewer may see, with the video.
func (s *Service) List(ctx context.Context, viewer *database.User, ref string) (*database.Video, []database.Caption, error) {
	v, err := s.videos.Get(ctx, viewer, ref)
	if err != nil {
		return nil, nil, err
	}
	cs, err := s.db.Captions(ctx, v.ID)
	if err != nil {
		return nil, nil, problem.Internal(err)
	}
	return v, cs, nil
}

// Of lists a video's captions, for a viewer already allowed to see it.
func (s *Service) Of(ctx context.Context, v *database.Video) ([]database.Caption, error) {
	cs, err := s.db.Captions(ctx, v.ID)
	if err != nil {
		return nil, problem.Internal(err)
	}
	return cs, nil
}

// Language checks a caption language from a request path.
func Language(tag string) (string, error) {
	lang, ok := languages.Normalize(tag)
	if !ok {
		return "", problem.Invalid(map[string]string{"captionLanguage": "must be a language tag such as en or pt-br"})
	}
	return lang, nil
}

// Put adds or replaces a video's caption in a language. The file is
// checked, and SRT converted, before anything is stored: a refused file
// changes nothing. It tells whether the caption is new.
func (s *Service) Put(ctx context.Context, u *database.User, ref, language string, file io.Reader) (bool, error) {
	lang, err := Language(language)
	if err != nil {
		return false, err
	}
	v, err := s.videos.Manageable(ctx, u, ref)
	if err != nil {
		return false, err
	}
	data, err := io.ReadAll(io.LimitReader(file, MaxFileSize+1))
	if err != nil {
		return false, problem.BadRequest("the caption file was cut while reading it").WithErr(err)
	}
	if len(data) > MaxFileSize {
		return false, problem.New(http.StatusRequestEntityTooLarge, "a caption file may hold at most %d MiB", MaxFileSize>>20)
	}
	vtt, err := ToWebVTT(data)
	if err != nil {
		p := problem.BadRequest("the caption file is %v", err)
		p.InvalidParams = map[string]string{"captionfile": err.Error()}
		return false, p
	}
	var created bool
	err = media.WithFiles(ctx, s.db, s.media, v.ID, func(v *database.Video) error {
		key := media.MediaPrefix(v) + media.CaptionFile(lang)
		if err := s.media.Put(ctx, key, bytes.NewReader(vtt), int64(len(vtt)), ""); err != nil {
			return fmt.Errorf("captions: store: %w", err)
		}
		if created, err = s.db.PutCaption(ctx, &database.Caption{VideoID: v.ID, Language: lang}); err != nil {
			return err
		}
		return media.RewriteMasterPlaylist(ctx, s.db, s.media, v)
	})
	return created, err
}

// Delete removes a video's caption in a language.
func (s *Service) Delete(ctx context.Context, u *database.User, ref, language string) error {
	lang, err := Language(language)
	if err != nil {
		return err
	}
	v, err := s.videos.Manageable(ctx, u, ref)
	if err != nil {
		return err
	}
	return media.WithFiles(ctx, s.db, s.media, v.ID, func(v *database.Video) error {
		err := s.db.DeleteCaption(ctx, v.ID, lang)
		if errors.Is(err, database.ErrNotFound) {
			return problem.NotFound("caption")
		}
		if err != nil {
			return err
		}
		// The master playlist goes first, so it never names a file that
		// is gone.
		if err := media.RewriteMasterPlaylist(ctx, s.db, s.media, v); err != nil {
			return err
		}
		prefix := media.MediaPrefix(v)
		for _, name := range []string{media.CaptionPlaylist(lang), media.CaptionFile(lang)} {
			if err := s.media.Delete(ctx, prefix+name); err != nil {
				return fmt.Errorf("captions: remove %s: %w", name, err)
			}
		}
		return nil
	})
}
