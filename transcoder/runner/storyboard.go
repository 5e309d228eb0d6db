package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
	"cuttle.video/transcoder/storyboard"
)

// storyboard runs one Storyboard job in dir: it joins the rendition's
// segments into one file, draws the sheet and sends it.
func (r *Runner) storyboard(ctx context.Context, lease queue.Lease, p *job.StoryboardPayload, dir string, log *slog.Logger) (*job.StoryboardResult, error) {
	if len(p.InputURLs) == 0 || p.File == "" || (p.Upload.Put == nil && len(p.Upload.Forms) == 0) {
		return nil, permanent(errors.New("the job has no input or no output"))
	}
	input := filepath.Join(dir, "rendition.mp4")
	if err := r.downloadJoined(ctx, p.InputURLs, input, func(f float64) {
		// Fetching is most of the work; drawing is quick.
		if err := lease.Progress(ctx, 0.8*f); err != nil {
			log.Debug("report progress", "err", err)
		}
	}); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "storyboard.jpg")
	err := storyboard.Run(ctx, input, out, p.Layout, storyboard.Options{FFmpeg: r.cfg.Pipeline.FFmpeg, Threads: r.cfg.Pipeline.Threads})
	if errors.Is(err, storyboard.ErrNoPicture) {
		return nil, permanent(err)
	}
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(out)
	if err != nil {
		return nil, err
	}
	if err := r.upload(ctx, out, p.File, p.Upload); err != nil {
		return nil, fmt.Errorf("upload %s: %w", p.File, err)
	}
	return &job.StoryboardResult{File: p.File, Layout: p.Layout, Size: info.Size()}, nil
}

// downloadJoined fetches urls one after the other into one file at path,
// reporting the fraction of them done.
func (r *Runner) downloadJoined(ctx context.Context, urls []string, path string, progress func(float64)) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("download input: %w", err)
	}
	for i, u := range urls {
		if err := r.fetchInto(ctx, u, f); err != nil {
			f.Close()
			return fmt.Errorf("download input part %d: %w", i, err)
		}
		progress(float64(i+1) / float64(len(urls)))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("download input: %w", err)
	}
	return nil
}

func (r *Runner) fetchInto(ctx context.Context, url string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return permanent(transferError(err))
	}
	res, err := r.cfg.HTTP.Do(req)
	if err != nil {
		return transferError(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", res.Status)
	}
	_, err = io.Copy(w, res.Body)
	return err
}
