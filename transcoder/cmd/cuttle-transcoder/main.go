// Command cuttle-transcoder is a remote transcoding runner: it takes jobs
// from Redis, reads originals and writes renditions through the
// presigned URLs each job carries, and holds no storage credentials.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/pipeline"
	"cuttle.video/transcoder/queue/redisqueue"
	"cuttle.video/transcoder/runner"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "cuttle-transcoder:", err)
		}
		os.Exit(2)
	}
}

// env returns the variable's value, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(env(name, "")); err == nil {
		return n
	}
	return def
}

func run(args []string) error {
	host, _ := os.Hostname()
	fs := flag.NewFlagSet("cuttle-transcoder", flag.ContinueOnError)
	redisURL := fs.String("redis-url", env("CUTTLE_REDIS_URL", ""), "Redis `URL` of the job queue (CUTTLE_REDIS_URL)")
	name := fs.String("name", env("CUTTLE_RUNNER_NAME", fmt.Sprintf("%s-%d", host, os.Getpid())), "runner `name` shown to admins (CUTTLE_RUNNER_NAME)")
	concurrency := fs.Int("concurrency", envInt("CUTTLE_RUNNER_CONCURRENCY", 1), "jobs run at once (CUTTLE_RUNNER_CONCURRENCY)")
	threads := fs.Int("threads", envInt("CUTTLE_FFMPEG_THREADS", 0), "ffmpeg threads per job, 0 for ffmpeg's choice (CUTTLE_FFMPEG_THREADS)")
	preset := fs.String("preset", env("CUTTLE_X264_PRESET", "veryfast"), "x264 preset (CUTTLE_X264_PRESET)")
	scratch := fs.String("scratch", env("CUTTLE_SCRATCH_DIR", filepath.Join(os.TempDir(), "cuttle-transcoder")), "scratch `directory` (CUTTLE_SCRATCH_DIR)")
	claimIdle := fs.Duration("claim-idle", 2*time.Minute, "take over jobs whose runner was silent this long; match the server's transcoding.claim_idle")
	maxAttempts := fs.Int("max-attempts", 3, "attempts before a job fails for good; match the server's transcoding.max_attempts")
	logLevel := fs.String("log-level", env("CUTTLE_LOG_LEVEL", "info"), "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *redisURL == "" {
		return errors.New("--redis-url (or CUTTLE_REDIS_URL) is required")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("runner", *name)

	opt, err := redis.ParseURL(*redisURL)
	if err != nil {
		return fmt.Errorf("--redis-url: %w", err)
	}
	client := redis.NewClient(opt)
	defer client.Close()
	q, err := redisqueue.New(client, redisqueue.Config{WorkerName: *name, ClaimIdle: *claimIdle, MaxAttempts: *maxAttempts, Logger: log})
	if err != nil {
		return err
	}
	defer q.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("waiting for jobs", "concurrency", *concurrency, "threads", *threads)
	r := runner.New(q, runner.Config{
		ScratchDir:  *scratch,
		Concurrency: *concurrency,
		Pipeline:    pipeline.Options{Threads: *threads, Preset: *preset},
		Log:         log,
	})
	if err := r.Run(ctx); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
