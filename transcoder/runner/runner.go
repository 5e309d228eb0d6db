// Package runner is the worker side of transcoding: it takes jobs from a
// queue, fetches their inputs through the presigned URLs they carry, does
// the work in a scratch directory, uploads the outputs through the job's
// upload grant, and reports. Each job type has its handler in a file of
// its own (vodhls.go, storyboard.go), named in the handlers table; a new
// type, such as live transcoding, is one such file. The
// cuttle-transcoder binary and the server's embedded worker both run it.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
	"cuttle.video/transcoder/queue"
)

// Config tunes a runner.
type Config struct {
	// ScratchDir holds one directory per running job, removed after it;
	// empty means the system's temporary directory.
	ScratchDir string
	// Concurrency is how many jobs run at once.
	Concurrency int
	// Pipeline sets ffmpeg's threads and preset.
	Pipeline pipeline.Options
	// HTTP fetches inputs and sends outputs; nil means a default client.
	HTTP *http.Client
	// UploadParallel is how many outputs are sent at once.
	UploadParallel int
	Log            *slog.Logger
}

// Runner takes and runs jobs until its context ends.
type Runner struct {
	cfg Config
	q   queue.Queue
	// scratchRE matches the path of a job's scratch directory in error
	// messages.
	scratchRE *regexp.Regexp
}

// New returns a runner on q.
func New(q queue.Queue, cfg Config) *Runner {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	if cfg.UploadParallel < 1 {
		cfg.UploadParallel = 4
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Minute}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.ScratchDir == "" {
		cfg.ScratchDir = os.TempDir()
	}
	sep := regexp.QuoteMeta(string(filepath.Separator))
	jobDir := regexp.QuoteMeta(filepath.Clean(cfg.ScratchDir)) + sep + `job-[^\s"'` + sep + `]*` + sep + `?`
	return &Runner{cfg: cfg, q: q, scratchRE: regexp.MustCompile(jobDir)}
}

// Run works until ctx ends. Jobs running then are stopped and handed
// back to the queue, so another worker takes them at once.
func (r *Runner) Run(ctx context.Context) error {
	if err := os.MkdirAll(r.cfg.ScratchDir, 0o750); err != nil {
		return fmt.Errorf("runner: scratch dir: %w", err)
	}
	var wg sync.WaitGroup
	for range r.cfg.Concurrency {
		wg.Go(func() { r.work(ctx) })
	}
	wg.Wait()
	return nil
}

func (r *Runner) work(ctx context.Context) {
	for {
		lease, err := r.q.Take(ctx, types()...)
		if ctx.Err() != nil {
			if lease != nil {
				r.release(lease)
			}
			return
		}
		if err != nil {
			if errors.Is(err, queue.ErrClosed) {
				return
			}
			r.cfg.Log.Warn("take a job", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		r.run(ctx, lease)
	}
}

// run processes one lease and reports how it ended.
func (r *Runner) run(ctx context.Context, lease queue.Lease) {
	j := lease.Job()
	log := r.cfg.Log.With("job", j.ID, "video", j.VideoUUID, "attempt", lease.Attempt())
	log.Info("job started")
	start := time.Now()
	jctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	// Ends with the job: stop(nil) on return closes jctx.
	go func() {
		select {
		case <-lease.Canceled():
			stop(errCanceled)
		case <-jctx.Done():
		}
	}()
	res, err := r.do(jctx, lease, log)
	if errors.Is(context.Cause(jctx), errCanceled) {
		// The video is gone: nobody will want another attempt.
		err = permanent(errCanceled)
	}
	// Reports must go out even when ctx ended, or the job is stuck
	// leased until its heartbeats time out.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var perm *permanentError
	switch {
	case ctx.Err() != nil:
		r.release(lease)
		log.Info("job handed back on shutdown")
	case err != nil:
		permanent := errors.As(err, &perm)
		log.Warn("job failed", "err", err, "permanent", permanent)
		if ferr := lease.Fail(rctx, r.reportable(err), permanent); ferr != nil {
			log.Error("report failure", "err", ferr)
		}
	default:
		if cerr := lease.Complete(rctx, res); cerr != nil {
			log.Error("report result", "err", cerr)
			return
		}
		log.Info("job done", "duration", time.Since(start).Round(time.Millisecond))
	}
}

// A handler runs one job of its type and returns the result to report,
// nil on error. Each job type has its handler in a file of its own; the
// server has the mirror table of what it queues.
type handler func(r *Runner, ctx context.Context, lease queue.Lease, log *slog.Logger) (any, error)

// handlers lists the job types this runner runs, in the order it takes
// them when several wait: transcoding first, as its video waits for it
// to play at all. A new type is a file with its handler, named here.
var handlers = []struct {
	typ job.Type
	run handler
}{
	{job.VODHLS, withScratch(job.VODHLS, (*Runner).vodHLS)},
	{job.Storyboard, withScratch(job.Storyboard, (*Runner).storyboard)},
}

// types lists the job types the runner takes, in handlers' order.
func types() []job.Type {
	ts := make([]job.Type, len(handlers))
	for i, h := range handlers {
		ts[i] = h.typ
	}
	return ts
}

// do runs the job with the handler of its type.
func (r *Runner) do(ctx context.Context, lease queue.Lease, log *slog.Logger) (any, error) {
	t := lease.Job().Type
	for _, h := range handlers {
		if h.typ == t {
			return h.run(r, ctx, lease, log)
		}
	}
	return nil, permanent(fmt.Errorf("%w: type %q", job.ErrUnsupported, t))
}

// withScratch makes the handler of jobs of type t, whose payload is a P:
// work runs with the decoded payload in a scratch directory of its own,
// removed whatever happens. A payload this runner cannot read fails the
// job for good.
func withScratch[P, R any](t job.Type, work func(r *Runner, ctx context.Context, lease queue.Lease, p *P, dir string, log *slog.Logger) (*R, error)) handler {
	return func(r *Runner, ctx context.Context, lease queue.Lease, log *slog.Logger) (any, error) {
		var p P
		if err := lease.Job().Decode(t, &p); err != nil {
			return nil, permanent(err)
		}
		dir, err := os.MkdirTemp(r.cfg.ScratchDir, "job-")
		if err != nil {
			return nil, fmt.Errorf("scratch dir: %w", err)
		}
		defer func() {
			if err := os.RemoveAll(dir); err != nil {
				log.Error("remove scratch dir", "err", err)
			}
		}()
		res, err := work(r, ctx, lease, &p, dir, log)
		if err != nil {
			// Not res: a nil *R in an interface is not a nil result.
			return nil, err
		}
		return res, nil
	}
}

// reportable is a failure as the server stores it and shows it to the
// video's owner: the paths of this machine's scratch directory are
// dropped, so that "open original: ..." remains, then whatever still
// looks like a URL, an address or a path is redacted.
func (r *Runner) reportable(err error) error {
	return errors.New(job.RedactError(r.scratchRE.ReplaceAllString(err.Error(), "")))
}

func (r *Runner) release(lease queue.Lease) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := lease.Release(ctx); err != nil {
		r.cfg.Log.Error("hand back job", "job", lease.Job().ID, "err", err)
	}
}

// errCanceled ends a job the server cancelled.
var errCanceled = errors.New("the job was cancelled: its video was deleted")

// permanentError marks failures that another attempt cannot fix: an
// unreadable original, a job this runner cannot read.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

func permanent(err error) error { return &permanentError{err: err} }
