package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Mover is implemented by stores that can move an object without its
// bytes passing through the caller: a rename in a local directory, a
// server-side copy in S3. Move and MovePrefix use it when the store has
// it and fall back to Get, Put and Delete otherwise.
type Mover interface {
	// MoveObject gives the object at from the key to, replacing any object
	// there, and removes from. A missing from is ErrNotFound.
	MoveObject(ctx context.Context, from, to string) error
}

// Move moves one object from one key to another. Readers see the object
// at from until it is complete at to; a failure leaves it at from (and
// possibly a copy at to).
func Move(ctx context.Context, st Store, from, to string) error {
	if from == to {
		return nil
	}
	if m, ok := st.(Mover); ok {
		return m.MoveObject(ctx, from, to)
	}
	r, info, err := st.Get(ctx, from, nil)
	if err != nil {
		return err
	}
	err = st.Put(ctx, to, r, info.Size, info.ContentType)
	if cerr := r.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("storage: move %q: %w", from, err)
	}
	return st.Delete(ctx, from)
}

// MovePrefix moves every object whose key starts with from to the same
// key with from replaced by to, and returns how many it moved. Objects
// that vanish meanwhile are skipped. It can be run again after a failure
// to finish the job.
func MovePrefix(ctx context.Context, st Store, from, to string) (int, error) {
	if from == to {
		return 0, nil
	}
	if err := ValidatePrefix(from); err != nil || from == "" || !strings.HasSuffix(from, "/") {
		return 0, fmt.Errorf("%w: move prefix %q", ErrInvalidKey, from)
	}
	if err := ValidatePrefix(to); err != nil || to == "" || !strings.HasSuffix(to, "/") {
		return 0, fmt.Errorf("%w: move prefix to %q", ErrInvalidKey, to)
	}
	objs, err := st.List(ctx, from)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, o := range objs {
		err := Move(ctx, st, o.Key, to+strings.TrimPrefix(o.Key, from))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return moved, err
		}
		moved++
	}
	return moved, nil
}
