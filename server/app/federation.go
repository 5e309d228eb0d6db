package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"cuttle.video/server/actors"
	"cuttle.video/server/config"
	"cuttle.video/server/database"
	"cuttle.video/server/engagement"
	"cuttle.video/server/federation"
	"cuttle.video/server/media"
	"cuttle.video/server/safehttp"
	"cuttle.video/server/version"
)

// openFederation builds what the instance exchanges with other servers:
// the one guarded client, the outbox that delivers and the rules of
// federation; the outbox and the processing of received activities run
// until Close. Local videos are told of when published, changed or
// deleted, and what a stop left untold is told at start; so are the
// comments and ratings of local users.
func (a *App) openFederation(urls *media.URLs) error {
	cfg := a.cfg
	nets, err := cfg.Federation.Networks()
	if err != nil {
		return fmt.Errorf("app: federation: %w", err)
	}
	client, err := safehttp.New(safehttp.Config{
		UserAgent: fmt.Sprintf("Cuttle/%s (+%s)", version.Number(), cfg.PublicURL),
		Timeout:   10 * time.Second, MaxBodyBytes: 1 << 20, MaxRedirects: 3,
		AllowHTTP: cfg.Federation.AllowHTTP, AllowLoopback: nets.Loopback, AllowPrivate: nets.Private, Allow: nets.Prefixes,
	})
	if err != nil {
		return fmt.Errorf("app: federation client: %w", err)
	}
	a.Actors = actors.New(actors.Config{PublicURL: cfg.PublicURL, Host: accountsConfig(cfg).Host}, a.Accounts, a.db)
	fed := federation.New(federationConfig(cfg), a.db, a.Actors, urls, client, a.log)
	a.Federation = fed

	a.Jobs.OnPublished(a.tellVideoChanged)
	a.Accounts.OnLeaving(func(ctx context.Context, accountID, channelID int64) {
		if err := fed.Leaving(ctx, accountID, channelID); err != nil {
			a.log.ErrorContext(ctx, "federation: tell of a deleted account or channel", "account", accountID, "channel", channelID, "err", err)
		}
	})
	a.Videos.OnChange(a.tellVideoChanged, func(ctx context.Context, v *database.Video) {
		if err := fed.VideoDeleted(ctx, v); err != nil {
			a.log.ErrorContext(ctx, "federation: tell of a deleted video", "video", v.UUID, "err", err)
		}
	})

	a.Engagement.SetHooks(engagement.Hooks{
		Commented: func(ctx context.Context, v *database.Video, c *database.Comment) {
			if err := fed.Commented(ctx, v, c); err != nil {
				a.log.ErrorContext(ctx, "federation: tell of a comment", "video", v.UUID, "comment", c.ID, "err", err)
			}
		},
		Uncommented: func(ctx context.Context, v *database.Video, c *database.Comment) {
			if err := fed.Uncommented(ctx, v, c); err != nil {
				a.log.ErrorContext(ctx, "federation: tell of a deleted comment", "video", v.UUID, "comment", c.ID, "err", err)
			}
		},
		Rated: func(ctx context.Context, v *database.Video, account *database.Account, old, rating string) {
			if err := fed.Rated(ctx, v, account, old, rating); err != nil {
				a.log.ErrorContext(ctx, "federation: tell of a rating", "video", v.UUID, "err", err)
			}
		},
		Viewed: func(ctx context.Context, v *database.Video) {
			if err := fed.Viewed(ctx, v); err != nil {
				a.log.ErrorContext(ctx, "federation: report a view", "video", v.UUID, "err", err)
			}
		},
		ViewsWritten: func(ctx context.Context, ids []int64) {
			if err := fed.ViewsWritten(ctx, ids); err != nil {
				a.log.ErrorContext(ctx, "federation: tell of view counts", "err", err)
			}
		},
	})
	fed.CountViewsWith(a.Engagement.RemoteView)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { fed.Run(ctx) })
	a.closers = append(a.closers, func() error {
		cancel()
		wg.Wait()
		client.CloseIdleConnections()
		return nil
	})
	return nil
}

func (a *App) tellVideoChanged(ctx context.Context, videoID int64) {
	if err := a.Federation.VideoChanged(ctx, videoID); err != nil {
		a.log.ErrorContext(ctx, "federation: tell of a changed video", "video", videoID, "err", err)
	}
}

func federationConfig(cfg config.Config) federation.Config {
	return federation.Config{
		InstanceFollowersApproval: cfg.Federation.InstanceFollowersApproval,
		AutoFollowBack:            cfg.Federation.AutoFollowBack, P2P: cfg.P2P.Enabled,
	}
}
