package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// baseline is the limit of the machine for an upload: a bare net/http
// server whose handler does only what any upload must, append the body
// to a file and make it durable before answering, as Cuttle does for
// every chunk.
type baseline struct {
	srv  *http.Server
	url  string
	path string
	errs chan error
}

func startBaseline(dir string) (*baseline, error) {
	b := &baseline{path: filepath.Join(dir, "baseline-upload.bin"), errs: make(chan error, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	b.url = "http://" + ln.Addr().String() + "/upload"
	b.srv = &http.Server{Handler: http.HandlerFunc(b.receive), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := b.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			b.errs <- err
		}
	}()
	return b, nil
}

func (b *baseline) receive(w http.ResponseWriter, r *http.Request) {
	if err := appendBody(b.path, r.Body); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func appendBody(path string, body io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, body)
	return errors.Join(err, f.Sync(), f.Close())
}

// reset removes what the previous run wrote, so each run appends to an
// empty file and the disk does not fill up.
func (b *baseline) reset() error {
	if err := os.Remove(b.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func (b *baseline) close() error {
	err := b.srv.Close()
	select {
	case serveErr := <-b.errs:
		err = errors.Join(err, serveErr)
	default:
	}
	return errors.Join(err, b.reset())
}

// check accepts a chunk's answer; the file's size is checked once the
// last chunk is in.
func (b *baseline) check(size int64) func(answer) error {
	return func(a answer) error {
		if a.resp.StatusCode != http.StatusNoContent {
			msg, _ := io.ReadAll(io.LimitReader(a.resp.Body, 1024))
			return fmt.Errorf("baseline answered %s: %s", a.resp.Status, msg)
		}
		if !a.last {
			return nil
		}
		fi, err := os.Stat(b.path)
		if err != nil {
			return err
		}
		if fi.Size() != size {
			return fmt.Errorf("baseline stored %d bytes of %d", fi.Size(), size)
		}
		return nil
	}
}
