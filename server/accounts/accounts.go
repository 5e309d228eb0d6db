// Package accounts holds the rules for users, their sessions and their
// channels. Handlers call it; it calls the database, and reads the
// instance settings for whether visitors may register.
package accounts

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"time"

	"cuttle.video/server/auth"
	"cuttle.video/server/database"
	"cuttle.video/server/instance"
	"cuttle.video/server/problem"
)

// Token lifetimes, as PeerTube's defaults.
const (
	AccessTTL  = 24 * time.Hour
	RefreshTTL = 14 * 24 * time.Hour
)

// MediaRemover deletes the stored files of videos whose rows are going
// away with a user or a channel.
type MediaRemover interface {
	RemoveVideoFiles(ctx context.Context, uuids []string)
}

// Config is what accounts takes from the configuration.
type Config struct {
	// DefaultQuota is a new user's video quota in bytes, -1 for none.
	DefaultQuota int64
	// Host is the instance's host (public_url's): handles "name@host"
	// name local accounts and channels only with it.
	Host string
}

// Service is the accounts processor.
type Service struct {
	cfg      Config
	db       *database.DB
	media    MediaRemover
	settings *instance.Service
	now      func() time.Time
	log      *slog.Logger
	// failures counts wrong passwords per account and client key, for
	// logins and password changes alike.
	failures *auth.Guesses
	// hasher bounds the argon2 hashes computed at once, to one a core.
	hasher *auth.Hasher
	// pictures makes the files of avatars and banners; nil refuses them.
	pictures Pictures
	// leaving is told of an account or a channel about to be deleted.
	leaving func(ctx context.Context, accountID, channelID int64)
}

// OnLeaving sets fn to be told of every account (channelID 0) or channel
// (accountID 0) about to be deleted with its videos, while their rows
// are still there: other servers that have them must be told they are
// gone. Set it before the server serves.
func (s *Service) OnLeaving(fn func(ctx context.Context, accountID, channelID int64)) { s.leaving = fn }

func (s *Service) tellLeaving(ctx context.Context, accountID, channelID int64) {
	if s.leaving != nil {
		s.leaving(context.WithoutCancel(ctx), accountID, channelID)
	}
}

// New returns a Service; now may be nil for the wall clock. settings
// say whether visitors may register; failures limits wrong passwords per
// account (see auth.Guesses).
func New(cfg Config, db *database.DB, media MediaRemover, settings *instance.Service, failures *auth.Guesses, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{
		cfg: cfg, db: db, media: media, settings: settings, now: now, log: log,
		failures: failures, hasher: auth.NewHasher(runtime.NumCPU()),
	}
}

// defaultDailyQuota is a new user's daily video quota: none, until
// admins can set one.
const defaultDailyQuota = -1

// DefaultQuotas are a new user's video quotas in bytes, -1 for none.
func (s *Service) DefaultQuotas() (total, daily int64) { return s.cfg.DefaultQuota, defaultDailyQuota }

// notFound maps a database miss to a 404 naming what, and anything else
// to an internal error.
func notFound(err error, what string) error {
	if errors.Is(err, database.ErrNotFound) {
		return problem.NotFound(what)
	}
	return problem.Internal(err)
}
