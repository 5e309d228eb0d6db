package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"cuttle.video/storage"
)

// tempPrefix marks files being written by Put. They live next to their
// final name so the closing rename never crosses filesystems.
const tempPrefix = ".cuttle-tmp-"

func isTempName(name string) bool { return strings.HasPrefix(name, tempPrefix) }

// bodyError marks a failure of the caller's reader (or a size that does not
// match), as opposed to a failure of the disk; the handler answers 400 for
// the first and 500 for the second.
type bodyError struct{ err error }

func (e bodyError) Error() string { return e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

// ctxReader stops a copy as soon as ctx is done, even when the underlying
// reader would go on producing data.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyError{err}
	}
	return n, err
}

// Put writes the object to a temporary file, syncs it and renames it over
// key, so readers never see a partial object. The contentType argument is
// not kept: the type is derived from the key's extension on every read.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, _ string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("local: put: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	f, tmp, err := s.createTemp(key)
	if err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	err = fill(ctx, f, r, size)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		// A cancellation that arrives after the last byte still wins:
		// the caller was told nothing was stored if it gets an error.
		err = ctx.Err()
	}
	if err == nil {
		err = s.root.Rename(tmp, key)
	}
	if err != nil {
		_ = s.root.Remove(tmp)
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	if err := s.syncDir(path.Dir(key)); err != nil {
		return fmt.Errorf("local: put %q: %w", key, err)
	}
	return nil
}

// createTemp makes the key's directory and an exclusive temporary file in
// it.
func (s *Store) createTemp(key string) (*os.File, string, error) {
	dir := path.Dir(key)
	var f *os.File
	var tmp string
	err := s.inDir(dir, func() error {
		name, err := tempName()
		if err != nil {
			return err
		}
		tmp = path.Join(dir, name)
		f, err = s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
		if err != nil {
			return fmt.Errorf("create temporary file: %w", err)
		}
		return nil
	})
	return f, tmp, err
}

// dirAttempts bounds the retries of inDir.
const dirAttempts = 10

// inDir makes dir and runs fn, which creates an entry in it. A concurrent
// Delete may prune dir, or one of its parents, at any moment until that
// entry exists; both steps are retried when that happened.
func (s *Store) inDir(dir string, fn func() error) error {
	var err error
	for range dirAttempts {
		if dir != "." {
			if err = s.root.MkdirAll(dir, dirMode); err != nil {
				// os.Root's MkdirAll reports EEXIST when the directory
				// it found existing is pruned before it can check it.
				if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist) {
					continue
				}
				return fmt.Errorf("create directory: %w", err)
			}
		}
		if err = fn(); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return err
}

func tempName() (string, error) {
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("temporary name: %w", err)
	}
	return tempPrefix + hex.EncodeToString(rnd[:]), nil
}

func fill(ctx context.Context, f *os.File, r io.Reader, size int64) error {
	src := io.Reader(ctxReader{ctx, r})
	if size >= 0 {
		// One byte more than announced is enough to detect an overlong body
		// without reading an unbounded stream.
		src = io.LimitReader(src, size+1)
	}
	n, err := io.Copy(f, src)
	if err != nil {
		return err
	}
	if size >= 0 && n != size {
		return bodyError{fmt.Errorf("body has %s bytes, expected %d", sizeText(n, size), size)}
	}
	return f.Sync()
}

func sizeText(n, size int64) string {
	if n > size {
		return fmt.Sprintf("more than %d", size)
	}
	return fmt.Sprint(n)
}

// syncDir makes the rename durable: without it a crash can lose the new
// directory entry even though the file's data was synced.
func (s *Store) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// Get opens the object, or the inclusive byte range rng of it.
func (s *Store) Get(ctx context.Context, key string, rng *storage.Range) (io.ReadCloser, storage.ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return nil, storage.ObjectInfo{}, fmt.Errorf("local: get: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, storage.ObjectInfo{}, fmt.Errorf("local: get %q: %w", key, err)
	}
	f, info, err := s.open(key)
	if err != nil {
		return nil, storage.ObjectInfo{}, fmt.Errorf("local: get %q: %w", key, err)
	}
	if rng == nil {
		return f, info, nil
	}
	start, end, err := storage.ValidateRange(rng, info.Size)
	if err == nil {
		_, err = f.Seek(start, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, storage.ObjectInfo{}, fmt.Errorf("local: get %q: %w", key, err)
	}
	return rangeReader{io.LimitReader(f, end-start+1), f}, info, nil
}

type rangeReader struct {
	io.Reader
	io.Closer
}

// open returns the object's file, refusing directories and anything else
// that is not a regular file so they read as missing objects.
func (s *Store) open(key string) (*os.File, storage.ObjectInfo, error) {
	f, err := s.root.Open(key)
	if err != nil {
		if notFound(err) {
			return nil, storage.ObjectInfo{}, storage.ErrNotFound
		}
		return nil, storage.ObjectInfo{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, storage.ObjectInfo{}, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, storage.ObjectInfo{}, storage.ErrNotFound
	}
	return f, objectInfo(key, fi), nil
}

// Stat describes the object without opening it for reading.
func (s *Store) Stat(ctx context.Context, key string) (storage.ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("local: stat: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("local: stat %q: %w", key, err)
	}
	fi, err := s.root.Stat(key)
	if err != nil {
		if notFound(err) {
			err = storage.ErrNotFound
		}
		return storage.ObjectInfo{}, fmt.Errorf("local: stat %q: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return storage.ObjectInfo{}, fmt.Errorf("local: stat %q: %w", key, storage.ErrNotFound)
	}
	return objectInfo(key, fi), nil
}
