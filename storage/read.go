package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge is returned by ReadAll for objects over its limit.
var ErrTooLarge = errors.New("storage: object larger than the limit")

// ReadAll reads a whole object of at most limit bytes into memory, for
// small files such as playlists that are parsed or rewritten. A missing
// object gives ErrNotFound, a larger one ErrTooLarge.
func ReadAll(ctx context.Context, st Store, key string, limit int64) ([]byte, error) {
	rc, _, err := st.Get(ctx, key, nil)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("storage: read %s: %w", key, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, key, limit)
	}
	return data, nil
}
