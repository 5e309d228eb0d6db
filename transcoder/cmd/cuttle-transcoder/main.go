// Command cuttle-transcoder is a remote transcoding runner: it takes jobs
// from Redis, reads originals and writes renditions through the
// presigned URLs each job carries, and holds no storage credentials.
// Its settings are in package config.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/pipeline"
	"cuttle.video/transcoder/queue/redisqueue"
	"cuttle.video/transcoder/runner"
	"cuttle.video/transcoder/runner/config"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "cuttle-transcoder:", err)
		}
		os.Exit(2)
	}
}

func run(args []string) error {
	cfg, err := config.Load(args, os.LookupEnv, os.Stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return fmt.Errorf("config: log_level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("runner", cfg.Name)

	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("config: redis_url: %w", err)
	}
	client := redis.NewClient(opt)
	defer client.Close()
	t := cfg.Transcoding
	q, err := redisqueue.New(client, redisqueue.Config{WorkerName: cfg.Name, ClaimIdle: t.ClaimIdle, MaxAttempts: t.MaxAttempts, Logger: log})
	if err != nil {
		return err
	}
	defer q.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("waiting for jobs", "concurrency", cfg.Concurrency, "threads", t.Threads)
	r := runner.New(q, runner.Config{
		ScratchDir:  cfg.ScratchDir,
		Concurrency: cfg.Concurrency,
		Pipeline:    pipeline.Options{Threads: t.Threads, Preset: t.Preset},
		Log:         log,
	})
	if err := r.Run(ctx); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
