// Package images makes a video's still images, its thumbnail and its
// preview: taken from the original as soon as it arrives, so that a video
// always has them, or sent by whoever manages the video, checked and
// re-encoded so that no picture from a client is ever served as it came.
// They are stored in the video's media directory under the names delivery
// serves, holding the video's files lock, and the video records where
// each comes from.
package images

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // decodes JPEG pictures from clients
	_ "image/png"  // decodes PNG pictures from clients
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/storage"
	"cuttle.video/transcoder/pipeline"
)

// Kind is one of a video's two images.
type Kind struct {
	still pipeline.Still
	// Field is the form field PeerTube's clients send it in.
	Field  string
	column string
}

var (
	Thumbnail = Kind{still: pipeline.Thumbnail, Field: "thumbnailfile", column: "thumbnail_source"}
	Preview   = Kind{still: pipeline.Preview, Field: "previewfile", column: "preview_source"}
	// Kinds lists both, the thumbnail first.
	Kinds = []Kind{Thumbnail, Preview}
)

// File is the name of the image in the video's media directory.
func (k Kind) File() string { return k.still.File }

// source is the video's column that says where its image comes from.
func (k Kind) source(v *database.Video) *string {
	if k == Thumbnail {
		return &v.ThumbnailSource
	}
	return &v.PreviewSource
}

// Bounds of a picture sent by a client. PeerTube takes up to 4 MiB; the
// side bound keeps a small file that claims a huge picture (a
// decompression bomb) from being decoded into gigabytes.
const (
	MaxFileSize = 4 << 20
	MaxSide     = 4096
)

// How long taking images may hold a request: one frame of the original,
// or one picture, takes well under a second.
const (
	originalTimeout = 20 * time.Second
	pictureTimeout  = 10 * time.Second
)

// placeholderColor fills the images of sounds, and of originals whose
// frame could not be taken: a plain dark picture, as PeerTube gives sounds
// a default one.
var placeholderColor = color.RGBA{R: 0x22, G: 0x26, B: 0x2e, A: 0xff}

// Service makes and stores video images.
type Service struct {
	dir    string
	db     *database.DB
	media  storage.Store
	ffmpeg string
	log    *slog.Logger
}

// New prepares dir, where images wait to be stored, removing what a crash
// left of requests in it; kept images (see Keep) stay.
func New(dir string, db *database.DB, st storage.Store, log *slog.Logger) (*Service, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("images: create dir: %w", err)
	}
	stale, err := filepath.Glob(filepath.Join(dir, setPrefix+"*"))
	if err != nil {
		return nil, fmt.Errorf("images: list leftovers: %w", err)
	}
	for _, d := range stale {
		if err := os.RemoveAll(d); err != nil {
			return nil, fmt.Errorf("images: remove leftovers: %w", err)
		}
	}
	return &Service{dir: dir, db: db, media: st, ffmpeg: "ffmpeg", log: log}, nil
}

// setPrefix names the sets of requests, which never outlive them.
const setPrefix = "set-"

// Set is images waiting to be stored, in a directory of their own.
type Set struct {
	dir     string
	sources map[Kind]string
}

// Has tells whether the set holds an image of kind k.
func (s *Set) Has(k Kind) bool { return s != nil && s.sources[k] != "" }

// Path is where the set keeps its image of kind k.
func (s *Set) Path(k Kind) string { return filepath.Join(s.dir, k.File()) }

// Remove deletes what is left of the set; it is safe on nil and after
// Store.
func (s *Set) Remove() {
	if s != nil && s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

func (s *Service) newSet() (*Set, error) {
	dir, err := os.MkdirTemp(s.dir, setPrefix)
	if err != nil {
		return nil, fmt.Errorf("images: scratch dir: %w", err)
	}
	return &Set{dir: dir, sources: map[Kind]string{}}, nil
}

// FromOriginal takes both images from the original at path, whose video
// is v: a frame of a video, or a placeholder for a sound and for an
// original whose frame could not be taken in time (a transcoding then
// takes its images). The sound's waveform is left to the transcoding,
// since drawing it decodes the whole file.
func (s *Service) FromOriginal(ctx context.Context, path string, v *database.Video) (*Set, error) {
	set, err := s.newSet()
	if err != nil {
		return nil, err
	}
	if v.Height > 0 {
		fctx, cancel := context.WithTimeout(ctx, originalTimeout)
		err = pipeline.Images(fctx, s.ffmpeg, path, set.dir, true, float64(v.Duration))
		cancel()
		if err == nil {
			set.sources[Thumbnail], set.sources[Preview] = database.ImageOriginal, database.ImageOriginal
			return set, nil
		}
		s.log.WarnContext(ctx, "take images from the original; a placeholder stands in", "video", v.UUID, "err", err)
	}
	pic := image.NewRGBA(image.Rect(0, 0, 16, 9))
	for i := 0; i < len(pic.Pix); i += 4 {
		pic.Pix[i], pic.Pix[i+1], pic.Pix[i+2], pic.Pix[i+3] = placeholderColor.R, placeholderColor.G, placeholderColor.B, placeholderColor.A
	}
	for _, k := range Kinds {
		if err := s.fit(ctx, pic, k, set); err != nil {
			set.Remove()
			return nil, err
		}
		set.sources[k] = database.ImagePlaceholder
	}
	return set, nil
}

// FromClient checks a picture sent as the image of kind k and re-encodes
// it at that image's size into set, which it makes when nil. Only JPEG
// and PNG are taken, with sides of at most MaxSide, in at most
// MaxFileSize bytes; a refusal is a problem naming the field.
func (s *Service) FromClient(ctx context.Context, set *Set, k Kind, r io.Reader) (*Set, error) {
	pic, err := decodeClientPicture(k.Field, r)
	if err != nil {
		return nil, err
	}
	into := set
	if into == nil {
		if into, err = s.newSet(); err != nil {
			return nil, problem.Internal(err)
		}
	}
	if err := s.fit(ctx, pic, k, into); err != nil {
		if set == nil {
			into.Remove()
		}
		return nil, problem.Internal(err)
	}
	into.sources[k] = database.ImageCustom
	return into, nil
}

// decodeClientPicture reads and decodes a picture a client sent in the
// form field named field, with FromClient's bounds.
func decodeClientPicture(field string, r io.Reader) (image.Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, problem.BadRequest("the form was cut while reading file %q", field).WithErr(err)
	}
	if len(data) > MaxFileSize {
		return nil, problem.New(http.StatusRequestEntityTooLarge, "%s is larger than the maximum of %d bytes", field, MaxFileSize)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png") {
		return nil, problem.Invalid(map[string]string{field: "must be a JPEG or PNG image"})
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxSide || cfg.Height > MaxSide {
		return nil, problem.Invalid(map[string]string{field: fmt.Sprintf(
			"is %dx%d; width and height must be between 1 and %d", cfg.Width, cfg.Height, MaxSide)})
	}
	pic, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, problem.Invalid(map[string]string{field: "is a damaged " + format + " image"})
	}
	return pic, nil
}

// keptPrefix names the sets kept past their request, which a restart
// leaves alone.
const keptPrefix = "kept-"

// Keep holds chosen images past their request, under name (a resumable
// upload's), until Kept takes them back or Forget drops them.
func (s *Service) Keep(set *Set, name string) error {
	if set == nil {
		return nil
	}
	to := filepath.Join(s.dir, keptPrefix+name)
	if err := os.Rename(set.dir, to); err != nil {
		return fmt.Errorf("images: keep %s: %w", name, err)
	}
	// The set's images belong to the name now: removing the set keeps
	// them.
	*set = Set{}
	return nil
}

// Kept returns the chosen images kept under name; nil when there are
// none.
func (s *Service) Kept(name string) *Set {
	set := &Set{dir: filepath.Join(s.dir, keptPrefix+name), sources: map[Kind]string{}}
	for _, k := range Kinds {
		if _, err := os.Stat(set.Path(k)); err == nil {
			set.sources[k] = database.ImageCustom
		}
	}
	if len(set.sources) == 0 {
		return nil
	}
	return set
}

// Forget drops the images kept under name.
func (s *Service) Forget(name string) error {
	if err := os.RemoveAll(filepath.Join(s.dir, keptPrefix+name)); err != nil {
		return fmt.Errorf("images: forget %s: %w", name, err)
	}
	return nil
}

func (s *Service) fit(ctx context.Context, pic image.Image, k Kind, set *Set) error {
	ctx, cancel := context.WithTimeout(ctx, pictureTimeout)
	defer cancel()
	if err := pipeline.FitPicture(ctx, s.ffmpeg, pic, k.still, set.dir); err != nil {
		return fmt.Errorf("images: %w", err)
	}
	return nil
}

// Store puts the images of sets into the video's media directory and
// records where they come from; of two sets with the same kind, the
// later wins. It holds the video's files lock, so a privacy change
// cannot leave an image under the old prefix, and waits for it as
// requests do (media.WithFiles); its error is a request's answer.
func (s *Service) Store(ctx context.Context, videoID int64, sets ...*Set) error {
	return media.WithFiles(ctx, s.db, s.media, videoID, func(v *database.Video) error {
		prefix := media.MediaPrefix(v)
		var cols []string
		for _, k := range Kinds {
			var from *Set
			for _, set := range sets {
				if set.Has(k) {
					from = set
				}
			}
			if from == nil {
				continue
			}
			if err := storage.PutFile(ctx, s.media, prefix+k.File(), from.Path(k), ""); err != nil {
				return fmt.Errorf("images: store %s of video %s: %w", k.File(), v.UUID, err)
			}
			*k.source(v) = from.sources[k]
			cols = append(cols, k.column)
		}
		if len(cols) == 0 {
			return nil
		}
		return s.db.UpdateVideo(ctx, v, false, cols...)
	})
}

// Transcoded decides which images of a finished transcoding the video
// takes: those it has none of, or only a placeholder for. PeerTube keeps
// the images a video got at upload, and never replaces chosen ones. It
// records the taken ones in v and returns the columns to save with it, and
// the names of the images the video keeps, which the transcoding's must
// not overwrite.
func Transcoded(v *database.Video, written map[string]bool) (cols []string, kept []string) {
	for _, k := range Kinds {
		src := k.source(v)
		switch {
		case (*src == "" || *src == database.ImagePlaceholder) && written[k.File()]:
			*src = database.ImageOriginal
			cols = append(cols, k.column)
		case *src != "":
			kept = append(kept, k.File())
		}
	}
	return cols, kept
}
