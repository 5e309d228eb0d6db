package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"cuttle.video/server/media"
	"cuttle.video/transcoder/pipeline"
	"cuttle.video/transcoder/queue"
	"cuttle.video/transcoder/queue/memqueue"
	"cuttle.video/transcoder/queue/redisqueue"
	"cuttle.video/transcoder/runner"
)

// jobURLTTL is how long a job's presigned URLs allow it to wait in the
// queue; transcoding jobs add their time limit. A job waiting longer is
// re-issued with fresh ones when it is queued again.
const jobURLTTL = 6 * time.Hour

// openQueue picks Redis Streams when Redis is configured and the
// in-process queue otherwise.
func (a *App) openQueue(ctx context.Context) error {
	t := a.cfg.Transcoding
	if a.cfg.RedisURL == "" {
		a.queue = memqueue.New(memqueue.Config{MaxAttempts: t.MaxAttempts, Logger: a.log})
		a.closers = append(a.closers, a.queue.Close)
		return nil
	}
	opt, err := redis.ParseURL(a.cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("app: redis_url: %w", err)
	}
	a.redis = redis.NewClient(opt)
	a.closers = append(a.closers, a.redis.Close)
	if err := a.redis.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("app: connect to redis: %w", err)
	}
	host, _ := os.Hostname()
	if a.queue, err = redisqueue.New(a.redis, redisqueue.Config{
		WorkerName: fmt.Sprintf("server-%s-%d", host, os.Getpid()),
		ClaimIdle:  t.ClaimIdle, MaxAttempts: t.MaxAttempts, Logger: a.log,
	}); err != nil {
		return err
	}
	a.closers = append(a.closers, a.queue.Close)
	return nil
}

// startBackground runs the event consumer and the embedded workers until
// Close. They are registered last so they stop first.
func (a *App) startBackground() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := a.queue.Consume(ctx, a.Jobs.Handle); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, queue.ErrClosed) {
			a.log.Error("job events consumer stopped", "err", err)
		}
	})
	if n := a.cfg.Transcoding.Workers; n > 0 {
		r := runner.New(a.queue, runner.Config{
			ScratchDir:  filepath.Join(a.cfg.DataDir, "scratch"),
			Concurrency: n,
			Pipeline:    pipeline.Options{Threads: a.cfg.Transcoding.Threads, Preset: a.cfg.Transcoding.Preset},
			Log:         a.log.With("worker", "embedded"),
		})
		wg.Go(func() {
			if err := r.Run(ctx); err != nil {
				a.log.Error("embedded transcoding worker stopped", "err", err)
			}
		})
	}
	// Videos transcoded before the fragmented layout are brought to it
	// once; a start finds none left after that.
	wg.Go(func() { media.RepackageAll(ctx, a.db, a.media, a.log) })
	a.stop = func() { cancel(); wg.Wait() }
	a.closers = append(a.closers, func() error { a.stop(); return nil })
}

// ready reports whether the database, and Redis when used, answer.
func (a *App) ready(ctx context.Context) error {
	if err := a.db.Ping(ctx); err != nil {
		return err
	}
	if a.redis != nil {
		return a.redis.Ping(ctx).Err()
	}
	return nil
}
