package local

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"cuttle.video/storage"
)

// walk visits the files and directories that can hold keys starting with
// prefix, deepest entries after their parents. It starts at the directory
// part of prefix so a narrow prefix does not scan the whole tree, and
// treats entries that vanish mid-walk (concurrent deletes) as never there.
func (s *Store) walk(ctx context.Context, prefix string, visit func(p string, d fs.DirEntry) error) error {
	start := "."
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = prefix[:i]
	}
	return fs.WalkDir(s.root.FS(), start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if notFound(err) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != start && !strings.HasPrefix(p+"/", prefix) && !strings.HasPrefix(prefix, p+"/") {
				return fs.SkipDir
			}
			return visit(p, d)
		}
		if strings.HasPrefix(p, prefix) {
			return visit(p, d)
		}
		return nil
	})
}

// List returns the objects whose keys start with prefix, sorted by key.
// Temporary files of in-flight Puts and anything that is not a regular file
// (symbolic links included) are not objects.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.ObjectInfo, error) {
	if err := storage.ValidatePrefix(prefix); err != nil {
		return nil, fmt.Errorf("local: list: %w", err)
	}
	var out []storage.ObjectInfo
	err := s.walk(ctx, prefix, func(p string, d fs.DirEntry) error {
		if !d.Type().IsRegular() || isTempName(d.Name()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if notFound(err) {
				return nil
			}
			return err
		}
		out = append(out, objectInfo(p, fi))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("local: list %q: %w", prefix, err)
	}
	// WalkDir orders "a/b" before "a.txt" (it sorts names within a
	// directory, not whole keys), so the byte order of keys is restored here.
	slices.SortFunc(out, func(a, b storage.ObjectInfo) int { return cmp.Compare(a.Key, b.Key) })
	return out, nil
}

// Delete removes the object and the directories its removal left empty.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("local: delete: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local: delete %q: %w", key, err)
	}
	if err := s.removeFile(key); err != nil {
		return fmt.Errorf("local: delete %q: %w", key, err)
	}
	s.prune(path.Dir(key))
	return nil
}

// removeFile removes a regular file; a missing one, or a directory (which
// is never an object), is left as it is without error.
func (s *Store) removeFile(key string) error {
	fi, err := s.root.Lstat(key)
	if err != nil {
		if notFound(err) {
			return nil
		}
		return err
	}
	if fi.IsDir() {
		return nil
	}
	if err := s.root.Remove(key); err != nil && !notFound(err) {
		return err
	}
	return nil
}

// prune removes dir and its parents for as long as they are empty. It is
// best effort: failing to remove a directory means it is not empty (or was
// just refilled by a concurrent Put), which is exactly when to stop.
func (s *Store) prune(dir string) {
	for dir != "." && dir != "/" {
		if err := s.root.Remove(dir); err != nil && !notFound(err) {
			return
		}
		dir = path.Dir(dir)
	}
}

// DeletePrefix removes every object whose key starts with prefix, then the
// directories left empty in that part of the tree.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	if err := storage.ValidatePrefix(prefix); err != nil {
		return fmt.Errorf("local: delete prefix: %w", err)
	}
	var dirs []string
	err := s.walk(ctx, prefix, func(p string, d fs.DirEntry) error {
		switch {
		case d.IsDir():
			dirs = append(dirs, p)
		case isTempName(d.Name()):
			// Belongs to a Put still running; it removes or renames it.
		default:
			if err := s.root.Remove(p); err != nil && !notFound(err) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("local: delete prefix %q: %w", prefix, err)
	}
	// Children come after their parents in walk order, so walking the list
	// backwards empties the deepest directories first.
	for _, d := range slices.Backward(dirs) {
		if d != "." && strings.HasPrefix(d+"/", prefix) {
			_ = s.root.Remove(d)
		}
	}
	if len(dirs) > 0 {
		s.prune(dirs[0])
	}
	return nil
}
