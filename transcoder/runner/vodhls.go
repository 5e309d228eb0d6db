package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
	"cuttle.video/transcoder/probe"
	"cuttle.video/transcoder/queue"
)

// vodHLS runs one VOD HLS job in dir, within the time its job allows.
func (r *Runner) vodHLS(ctx context.Context, lease queue.Lease, p *job.VODHLSPayload, dir string, log *slog.Logger) (*job.VODHLSResult, error) {
	if p.TimeLimitSeconds <= 0 {
		return r.vodHLSRun(ctx, lease, p, dir, log)
	}
	limit := time.Duration(p.TimeLimitSeconds) * time.Second
	lctx, cancel := context.WithTimeoutCause(ctx, limit, permanent(fmt.Errorf("%w of %s", errTimeLimit, limit)))
	defer cancel()
	res, err := r.vodHLSRun(lctx, lease, p, dir, log)
	if err != nil && ctx.Err() == nil && lctx.Err() != nil {
		// Whatever step the limit interrupted, the limit is the reason.
		return nil, context.Cause(lctx)
	}
	return res, err
}

func (r *Runner) vodHLSRun(ctx context.Context, lease queue.Lease, p *job.VODHLSPayload, dir string, log *slog.Logger) (*job.VODHLSResult, error) {
	input := filepath.Join(dir, "original")
	if err := r.download(ctx, p.InputURL, input); err != nil {
		return nil, err
	}
	pr, err := probe.File(ctx, input)
	if err == nil {
		err = pr.CheckPackets()
	}
	if errors.Is(err, probe.ErrNotMedia) {
		return nil, permanent(fmt.Errorf("the original cannot be read: %w", err))
	}
	if err != nil {
		return nil, err
	}
	if err := fits(pr, p.Renditions); err != nil {
		return nil, permanent(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o750); err != nil {
		return nil, fmt.Errorf("output dir: %w", err)
	}
	opts := r.cfg.Pipeline
	opts.SegmentSeconds = p.SegmentSeconds
	opts.MaxOutputBytes = p.MaxOutputBytes
	res, err := pipeline.Run(ctx, input, out, p.Renditions, pr.Duration, opts, func(f float64) {
		if err := lease.Progress(ctx, f); err != nil {
			log.Debug("report progress", "err", err)
		}
	})
	if errors.Is(err, pipeline.ErrDamaged) || errors.Is(err, pipeline.ErrTooLarge) {
		return nil, permanent(fmt.Errorf("transcode: %w", err))
	}
	if err != nil {
		return nil, fmt.Errorf("transcode: %w", err)
	}
	// The server refuses results in another shape; finding out before
	// uploading saves the transfer.
	if err := pipeline.CheckResult(res); err != nil {
		return nil, permanent(err)
	}
	if err := r.uploadAll(ctx, out, res.Files, p.Upload); err != nil {
		return nil, err
	}
	return res, nil
}

// errTimeLimit ends an attempt that ran past the time its job allows: the
// same original would take as long again.
var errTimeLimit = errors.New("the transcode ran past its time limit")

// fits checks the ladder the server chose still matches the original
// this runner downloaded.
func fits(pr *probe.Result, ladder []job.Rendition) error {
	for _, r := range ladder {
		if !r.AudioOnly() && pr.Video == nil {
			return fmt.Errorf("the job asks for %s but the original has no video", r.Name)
		}
		if r.HasAudio && pr.Audio == nil {
			return fmt.Errorf("the job asks for audio in %s but the original has none", r.Name)
		}
	}
	if len(ladder) == 0 {
		return errors.New("the job has no renditions")
	}
	return nil
}
