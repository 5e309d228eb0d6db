package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"syscall"
)

// rename is a variable so tests can simulate a move across filesystems.
var rename = os.Rename

// ImportFile moves the regular file at src into the store under key: a
// rename when src is on the store's filesystem, a copy (then removal of
// src) otherwise. Transcoder output is large, so avoiding the copy matters.
// On failure src is left where it was.
func (s *Store) ImportFile(ctx context.Context, key, src string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("local: import: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local: import %q: %w", key, err)
	}
	if err := syncRegular(src); err != nil {
		return fmt.Errorf("local: import %q: %w", key, err)
	}
	// The file first lands at the top of the directory under a temporary
	// name, a path that no key or symbolic link under the root can
	// redirect; only the move to its key then runs inside the os.Root.
	tmp, err := tempName()
	if err != nil {
		return fmt.Errorf("local: import %q: %w", key, err)
	}
	staged := filepath.Join(s.dir, tmp)
	if err := rename(src, staged); err != nil {
		if errors.Is(err, syscall.EXDEV) {
			return s.copyIn(ctx, key, src)
		}
		return fmt.Errorf("local: import %q: %w", key, err)
	}
	if err := s.place(tmp, key); err != nil {
		if rerr := rename(staged, src); rerr != nil {
			_ = s.root.Remove(tmp)
			err = errors.Join(err, fmt.Errorf("put the file back: %w", rerr))
		}
		return fmt.Errorf("local: import %q: %w", key, err)
	}
	// Both directories changed: the one the file left and the one it
	// reached.
	if err := s.syncDir(path.Dir(key)); err != nil {
		return fmt.Errorf("local: import %q: %w", key, err)
	}
	if err := s.syncDir("."); err != nil {
		return fmt.Errorf("local: import %q: %w", key, err)
	}
	return nil
}

// syncRegular refuses anything but a regular file, gives it the store's
// file mode (producers such as ffmpeg follow the umask) and flushes it,
// since the producer may not have, and a rename only moves the name.
func syncRegular(name string) error {
	fi, err := os.Lstat(name)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", filepath.Base(name))
	}
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Chmod(fileMode); err != nil {
		return err
	}
	return f.Sync()
}

// place renames the staged file tmp (at the top of the root) to key.
func (s *Store) place(tmp, key string) error {
	return s.inDir(path.Dir(key), func() error { return s.root.Rename(tmp, key) })
}

// copyIn is the cross-filesystem path: an ordinary atomic Put of the
// file's bytes, then removal of src.
func (s *Store) copyIn(ctx context.Context, key, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("local: import %q: %w", key, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("local: import %q: %w", key, err)
	}
	if err := s.Put(ctx, key, f, fi.Size(), ""); err != nil {
		return err
	}
	if err := os.Remove(src); err != nil {
		return fmt.Errorf("local: import %q: remove source: %w", key, err)
	}
	return nil
}
