// Package app is the composition root: it builds every part of the server
// from one validated configuration, runs it, and takes it down in order.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cuttle.video/server/accounts"
	"cuttle.video/server/actors"
	"cuttle.video/server/captions"
	"cuttle.video/server/chapters"
	"cuttle.video/server/config"
	"cuttle.video/server/database"
	"cuttle.video/server/engagement"
	"cuttle.video/server/federation"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/images"
	"cuttle.video/server/jobs"
	"cuttle.video/server/media"
	"cuttle.video/server/netlimit"
	"cuttle.video/server/uploads"
	"cuttle.video/server/videos"
	"cuttle.video/storage"
	"cuttle.video/storage/local"
	"cuttle.video/storage/s3"
	"cuttle.video/transcoder/queue"

	"github.com/redis/go-redis/v9"
)

// Options are seams for tests; the zero value is production.
type Options struct {
	// Now replaces the wall clock, so tests can expire tokens.
	Now func() time.Time
}

// App is a running server's parts.
type App struct {
	cfg   config.Config
	log   *slog.Logger
	db    *database.DB
	media storage.Store
	// localMedia is media when it is the data directory, nil with S3:
	// its signed URLs are served by delivery.
	localMedia *local.Store
	closers    []func() error
	Accounts   *accounts.Service
	Videos     *videos.Service
	Images     *images.Service
	Uploads    *uploads.Service
	Jobs       *jobs.Service
	// Chapters, Captions and Engagement are the rules of what a video
	// carries besides its media; see features.go.
	Chapters   *chapters.Service
	Captions   *captions.Service
	Engagement *engagement.Service
	// Actors and Federation are the instance's ActivityPub side; see
	// federation.go.
	Actors     *actors.Service
	Federation *federation.Service
	urls       *media.URLs
	queue      queue.Queue
	redis      *redis.Client
	handler    http.Handler
	// metricsLn and metricsHandler serve /metrics on the metrics
	// address, when one is configured (see metrics.go).
	metricsLn      net.Listener
	metricsHandler http.Handler
	// stop ends the background work (event consumer, embedded workers)
	// and waits for it.
	stop func()

	// RootPassword is set when this start created the root admin with a
	// generated password, which must be shown once.
	RootPassword string
	// RootCreated tells whether this start created the root admin.
	RootCreated bool
}

// New builds the server. On error, whatever was opened is closed again.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (_ *App, err error) {
	// Every service's log lines name the request they served.
	log = httpserve.TagRequests(log)
	a := &App{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.db, err = database.Open(ctx, cfg.DatabaseURL, cfg.DataDir); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.db.Close)
	if a.media, err = a.openMedia(ctx); err != nil {
		return nil, err
	}
	secret, err := a.secret()
	if err != nil {
		return nil, err
	}
	if err := a.openQueue(ctx); err != nil {
		return nil, err
	}
	a.Videos = videos.New(a.db, a.media, log, videos.WithFileSecret(secret), videos.WithClock(opts.Now),
		videos.WithFileTokenTTL(a.cfg.FileTokenTTL), videos.WithJobCanceller(a.queue), videos.WithTrendingDays(cfg.TrendingDays),
		videos.WithTorrents())
	if err := media.ResumeMoves(ctx, a.db, a.media); err != nil {
		// The files stay under their old prefix until a later start, or
		// the next change of the video, moves them.
		log.Error("finish moving video files after a privacy change", "err", err)
	}
	settings := instanceSettings(a.db, cfg, opts.Now)
	a.Accounts = accounts.New(accountsConfig(cfg), a.db, a.Videos, settings, loginFailures(cfg, opts.Now), opts.Now, log)
	a.Jobs = jobs.New(jobs.Config{SegmentSeconds: cfg.Transcoding.SegmentSeconds, URLTTL: jobURLTTL,
		TimeLimitFactor: cfg.Transcoding.TimeLimitFactor},
		a.db, a.queue, a.media, log)
	a.closers = append(a.closers, func() error { a.Jobs.Close(); return nil })
	// Beside the uploads, so that kept images are renamed, not copied.
	if a.Images, err = images.New(filepath.Join(cfg.DataDir, "images"), a.db, a.media, log); err != nil {
		return nil, err
	}
	a.Accounts.UsePictures(a.Images)
	a.Uploads, err = uploads.New(uploads.Config{
		Dir:          filepath.Join(cfg.DataDir, "uploads"),
		MaxFileSize:  int64(cfg.Uploads.MaxFileSize),
		MaxDimension: cfg.Uploads.MaxDimension,
		MaxDuration:  cfg.Uploads.MaxDuration,
		Expiry:       cfg.Uploads.ResumableExpiry,
	}, a.db, a.Videos, a.Images, a.Jobs, opts.Now, log)
	if err != nil {
		return nil, err
	}
	if err := a.Uploads.Start(ctx); err != nil {
		return nil, fmt.Errorf("app: expire uploads: %w", err)
	}
	a.closers = append(a.closers, func() error { a.Uploads.Close(); return nil })
	if a.RootPassword, a.RootCreated, err = a.Accounts.Bootstrap(ctx, cfg.AdminPassword); err != nil {
		return nil, fmt.Errorf("app: create root user: %w", err)
	}
	a.startBackground()
	if err := a.Jobs.Reconcile(ctx); err != nil {
		return nil, fmt.Errorf("app: re-queue pending jobs: %w", err)
	}
	p2pService, tracker, playback := a.openP2P()
	if err := a.listenMetrics(playback.Handler(tracker)); err != nil {
		return nil, err
	}
	a.openFeatures(opts)
	a.urls = media.NewURLs(cfg.PublicURL, a.media, a.Videos)
	if err := a.openFederation(a.urls); err != nil {
		return nil, err
	}
	a.handler = a.routes(settings, p2pService, tracker, playback, opts)
	return a, nil
}

// openMedia picks S3 when a bucket is configured and the data directory
// otherwise; the local store comes with the handler that honours its
// signed URLs.
// warnIfKeysResolved warns when remote runners' upload grants are not
// confined to their staging prefix on this S3 service (see
// s3.Store.KeysLiteral): runners could then overwrite published media.
func (a *App) warnIfKeysResolved(ctx context.Context, st *s3.Store) {
	literal, err := st.KeysLiteral(ctx)
	switch {
	case err != nil:
		a.log.WarnContext(ctx, "could not check how the S3 service treats '..' in object keys", "err", err)
	case !literal:
		a.log.ErrorContext(ctx, "this S3 service resolves '..' in object keys, so a remote runner's upload grant "+
			"is not confined to its job's staging prefix: use it only with runners you trust, or use a service "+
			"that keeps such keys literal or refuses them (AWS S3, MinIO, Ceph)")
	}
}

func (a *App) openMedia(ctx context.Context) (storage.Store, error) {
	if a.cfg.S3.Enabled() {
		st, err := s3.New(ctx, s3.Config{
			Endpoint: a.cfg.S3.Endpoint, Region: a.cfg.S3.Region, Bucket: a.cfg.S3.Bucket,
			AccessKey: a.cfg.S3.AccessKey, SecretKey: a.cfg.S3.SecretKey,
			PathStyle: a.cfg.S3.PathStyle, PublicBaseURL: a.cfg.S3.PublicBaseURL,
			// Watch pages here and on the instances that follow this
			// one play public media straight from the bucket; private
			// media are reached only through presigned URLs, which CORS
			// does not guard anyway.
			AllowedOrigins: []string{"*"}, Logger: a.log,
		})
		if err != nil {
			return nil, err
		}
		if err := st.EnsureBucket(ctx); err != nil {
			return nil, err
		}
		if a.cfg.RedisURL != "" {
			a.warnIfKeysResolved(ctx, st)
		}
		return st, nil
	}
	secret, err := a.secret()
	if err != nil {
		return nil, err
	}
	st, err := local.New(local.Config{
		Dir: filepath.Join(a.cfg.DataDir, "media"), BaseURL: a.cfg.PublicURL + "/storage",
		Secret: secret, Logger: a.log,
		// a.Jobs is built after media storage; grants are used only once
		// it exists.
		GrantOpen: func(ctx context.Context, prefix string) bool { return a.Jobs.StagingOpen(ctx, prefix) },
	})
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, st.Close)
	a.localMedia = st
	return st, nil
}

// secret returns the configured signing secret, or one generated into the
// data directory on first start so signed URLs survive restarts.
func (a *App) secret() ([]byte, error) {
	if a.cfg.Secret != "" {
		return []byte(a.cfg.Secret), nil
	}
	path := filepath.Join(a.cfg.DataDir, "secret")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("app: read secret: %w", err)
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	s := hex.EncodeToString(raw)
	if err := os.MkdirAll(a.cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("app: create data dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("app: write secret: %w", err)
	}
	return []byte(s), nil
}

// Handler is the server's HTTP handler, for tests and for Serve.
func (a *App) Handler() http.Handler { return a.handler }

// Listener caps the connections each client holds open on ln.
func (a *App) Listener(ln net.Listener) net.Listener {
	// Validate checked the list.
	trusted, _ := netlimit.ParsePrefixes(a.cfg.TrustedProxies)
	return netlimit.NewListener(ln, a.cfg.Connections.MaxPerAddr, trusted, a.log)
}

// Serve answers HTTP on ln until ctx ends, then lets in-flight requests
// finish (up to the shutdown timeout) before returning.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	ln = a.Listener(ln)
	stopMetrics := a.serveMetrics()
	defer stopMetrics()
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("app: serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down: waiting for requests in flight", "timeout", a.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("app: serve: %w", err)
	}
	return nil
}

// Close releases everything in the reverse order of opening.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
