package local

import (
	"context"
	"fmt"
	"path"

	"cuttle.video/storage"
)

var _ storage.Mover = (*Store)(nil)

// MoveObject renames the object's file: no byte is copied, and readers
// see it at one key or the other, never half of it.
func (s *Store) MoveObject(ctx context.Context, from, to string) error {
	if err := checkKey(from); err != nil {
		return fmt.Errorf("local: move: %w", err)
	}
	if err := checkKey(to); err != nil {
		return fmt.Errorf("local: move: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local: move %q: %w", from, err)
	}
	fi, err := s.root.Lstat(from)
	if err != nil || !fi.Mode().IsRegular() {
		if err == nil || notFound(err) {
			err = storage.ErrNotFound
		}
		return fmt.Errorf("local: move %q: %w", from, err)
	}
	if err := s.inDir(path.Dir(to), func() error { return s.root.Rename(from, to) }); err != nil {
		if notFound(err) {
			// The source went away between the check and the rename.
			err = storage.ErrNotFound
		}
		return fmt.Errorf("local: move %q: %w", from, err)
	}
	if err := s.syncDir(path.Dir(to)); err != nil {
		return fmt.Errorf("local: move %q: %w", from, err)
	}
	if path.Dir(from) != path.Dir(to) {
		if err := s.syncDir(path.Dir(from)); err != nil && !notFound(err) {
			return fmt.Errorf("local: move %q: %w", from, err)
		}
		s.prune(path.Dir(from))
	}
	return nil
}
