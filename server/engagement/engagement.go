// Package engagement holds the rules of what viewers do with a video
// beyond watching it: views that count once per viewer, likes and
// dislikes, and comment threads.
package engagement

import (
	"context"
	"log/slog"
	"time"

	"cuttle.video/server/database"
)

// Videos is what engagement needs from the videos processor: the
// privacy rules.
type Videos interface {
	Get(ctx context.Context, viewer *database.User, ref string) (*database.Video, error)
}

// Service is the engagement processor.
type Service struct {
	db     *database.DB
	videos Videos
	// Views counts views; Close writes what is pending.
	Views *Views
	hooks Hooks
}

// Config tunes a Service; the zero value is usable.
type Config struct {
	// Seen remembers who viewed what; in memory when nil.
	Seen Seen
	// Now is the clock, time.Now when nil.
	Now func() time.Time
}

// New returns a Service.
func New(db *database.DB, videos Videos, cfg Config, log *slog.Logger) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Seen == nil {
		cfg.Seen = NewMemorySeen(cfg.Now)
	}
	return &Service{db: db, videos: videos, Views: newViews(db, cfg.Seen, cfg.Now, log)}
}

// Close writes the views still pending.
func (s *Service) Close() { s.Views.Close() }

func isModerator(u *database.User) bool { return u != nil && u.Role >= database.RoleModerator }
