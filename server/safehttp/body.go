package safehttp

import (
	"fmt"
	"io"
)

// boundedBody hands out at most limit bytes of a response body, then
// fails with ErrBodyTooLarge rather than a quiet end, so a caller never
// mistakes a cut body for a whole one. It counts the bytes the caller
// gets, after any decompression, so a small compressed body that
// expands past the limit is refused too.
type boundedBody struct {
	io.ReadCloser
	limit int64
	read  int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.read > b.limit {
		return 0, b.tooLarge()
	}
	// One byte past the limit is enough to tell a body that ends there
	// from one that goes on.
	if room := b.limit - b.read + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	if b.read > b.limit {
		return n - int(b.read-b.limit), b.tooLarge()
	}
	return n, err
}

func (b *boundedBody) tooLarge() error {
	return fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, b.limit)
}
