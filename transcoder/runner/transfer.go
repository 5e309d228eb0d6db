package runner

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"cuttle.video/storage"
)

// download streams url into path.
func (r *Runner) download(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return permanent(fmt.Errorf("input URL: %w", err))
	}
	res, err := r.cfg.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("download original: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 == 4 {
		// The original is gone (its video was deleted) or the URL is no
		// longer valid: the same request cannot succeed later. A retry by
		// an admin queues the job again with fresh URLs.
		return permanent(fmt.Errorf("download original: %s", res.Status))
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("download original: %s", res.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("download original: %w", err)
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return fmt.Errorf("download original: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("download original: %w", err)
	}
	return nil
}

// uploadAll sends every output to its presigned URL, a few at a time.
func (r *Runner) uploadAll(ctx context.Context, dir string, names []string, urls map[string]string) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan string)
	var wg sync.WaitGroup
	for range r.cfg.UploadParallel {
		wg.Go(func() {
			for name := range work {
				if err := r.upload(ctx, filepath.Join(dir, name), urls[name]); err != nil {
					cancel(fmt.Errorf("upload %s: %w", name, err))
				}
			}
		})
	}
feed:
	for _, name := range names {
		select {
		case work <- name:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

func (r *Runner) upload(ctx context.Context, path, url string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, f)
	if err != nil {
		return err
	}
	req.ContentLength = fi.Size()
	// Presigned PUTs fix the type by the name; another one is refused.
	req.Header.Set("Content-Type", storage.ContentTypeFor(path))
	res, err := r.cfg.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s", res.Status)
	}
	return nil
}
