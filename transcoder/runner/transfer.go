package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
)

// download streams url into path.
func (r *Runner) download(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return permanent(fmt.Errorf("input URL: %w", transferError(err)))
	}
	res, err := r.cfg.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("download original: %w", transferError(err))
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

// uploadAll sends every output through the job's upload grant, a few at
// a time.
func (r *Runner) uploadAll(ctx context.Context, dir string, names []string, g storage.Grant) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan string)
	var wg sync.WaitGroup
	for range r.cfg.UploadParallel {
		wg.Go(func() {
			for name := range work {
				if err := r.upload(ctx, filepath.Join(dir, name), name, g); err != nil {
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

// upload streams the file at path to the object name of the grant: a PUT
// or a form POST, as the store issued it, with the type the name fixes.
func (r *Runner) upload(ctx context.Context, path, name string, g storage.Grant) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() > g.MaxBytes {
		return permanent(fmt.Errorf("%d bytes, more than the %d the job allows per file", fi.Size(), g.MaxBytes))
	}
	req, err := g.Request(ctx, name, f, fi.Size())
	if err != nil {
		return permanent(transferError(err))
	}
	res, err := r.cfg.HTTP.Do(req)
	if err != nil {
		return transferError(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s", res.Status)
	}
	return nil
}

// transferError describes a failed request without its URL or the
// address it went to: presigned URLs carry their credentials, and the
// error travels to the server, which shows it to the video's owner.
// What is left is the method and why it failed; nothing up the stack
// looks into the cause, so the text replaces the error.
func transferError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	if ue.Timeout() {
		return errors.New(ue.Op + ": timed out")
	}
	return errors.New(ue.Op + ": " + networkCause(ue.Err))
}

// networkCause names the reason of a network failure without the host
// or address that the errors of package net put in their text.
func networkCause(err error) string {
	var (
		dns     *net.DNSError
		op      *net.OpError
		syscall *os.SyscallError
	)
	switch {
	case errors.As(err, &dns):
		return "name lookup: " + dns.Err
	case errors.As(err, &op):
		return op.Op + " " + op.Net + ": " + networkCause(op.Err)
	case errors.As(err, &syscall):
		return syscall.Error()
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed early"
	default:
		return job.RedactError(err.Error())
	}
}
