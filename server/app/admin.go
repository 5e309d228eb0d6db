package app

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"cuttle.video/server/accounts"
	"cuttle.video/server/auth"
	"cuttle.video/server/config"
	"cuttle.video/server/database"
	"cuttle.video/server/instance"
)

// noMedia is for admin commands that change accounts only; removing a
// user through them is not offered, so no files need deleting.
type noMedia struct{}

func (noMedia) RemoveVideoFiles(context.Context, []string) {}

// Admin opens just the database and the accounts rules, for the admin
// commands of the CLI. The caller must call the returned close function.
func Admin(ctx context.Context, cfg config.Config, log *slog.Logger) (*accounts.Service, func() error, error) {
	db, err := database.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	return accounts.New(accountsConfig(cfg), db, noMedia{}, instanceSettings(db, cfg, nil), loginFailures(cfg, nil), nil, log), db.Close, nil
}

// instanceSettings are the run-time settings, over the configured defaults.
func instanceSettings(db *database.DB, cfg config.Config, now func() time.Time) *instance.Service {
	return instance.New(db, instance.Settings{Name: "Cuttle", SignupEnabled: cfg.Signup.Enabled}, now)
}

// loginFailures counts wrong passwords per account as configured.
func loginFailures(cfg config.Config, now func() time.Time) *auth.Guesses {
	f := cfg.LoginFailures
	return auth.NewGuesses(f.Burst, f.Burst, f.Window, now)
}

// accountsConfig is what the accounts take from the configuration.
func accountsConfig(cfg config.Config) accounts.Config {
	host := ""
	if u, err := url.Parse(cfg.PublicURL); err == nil {
		host = u.Host
	}
	return accounts.Config{DefaultQuota: int64(cfg.Users.DefaultVideoQuota), Host: host}
}
