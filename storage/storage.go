// Package storage is Cuttle's media storage: originals, HLS renditions,
// thumbnails. One interface, implemented by a local directory (package
// local) and by any S3-compatible object store (package s3).
//
// Keys are slash-separated relative paths such as
// "originals/7f3c.../source.mp4". They never start with a slash and never
// contain "." or ".." elements; ValidateKey enforces it so no implementation
// can be led outside its root.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// ErrNotFound is returned when an object does not exist.
var ErrNotFound = errors.New("storage: object not found")

// ErrInvalidKey is returned for keys that could escape the storage root.
var ErrInvalidKey = errors.New("storage: invalid key")

// ErrInvalidRange is returned when a requested byte range is malformed or
// starts at or beyond the end of the object.
var ErrInvalidRange = errors.New("storage: invalid range")

// ObjectInfo describes a stored object. Size is always the size of the whole
// object, also when Get returned only a range of it. ContentType may be empty
// in List results from backends whose listings do not report it (S3).
type ObjectInfo struct {
	Key          string
	Size         int64
	ContentType  string
	LastModified time.Time
}

// Range selects bytes [Start, End] inclusive; End < 0 means "to the end".
type Range struct {
	Start int64
	End   int64
}

// Store is the media storage contract shared by every backend.
type Store interface {
	// Put stores the object atomically: readers see either the old object
	// or the complete new one, never a partial write. size may be -1 when
	// unknown.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens the object, or the given byte range of it when rng is not nil.
	Get(ctx context.Context, key string, rng *Range) (io.ReadCloser, ObjectInfo, error)
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	// Delete removes an object; deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every object whose key starts with prefix.
	DeletePrefix(ctx context.Context, prefix string) error
	// PresignGet returns a URL that lets anyone holding it read the object
	// until ttl has passed, without other credentials.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
	// GrantPut returns a Grant that lets anyone holding it write objects
	// under prefix until ttl has passed: any name whose ContentTypeFor is
	// one of contentTypes, each object at most maxBytes, stored with that
	// type. Writes outside the prefix, of another type, larger, late or
	// with an altered grant are refused and store nothing.
	GrantPut(ctx context.Context, prefix string, contentTypes []string, ttl time.Duration, maxBytes int64) (Grant, error)
	// PublicURL returns the permanent public address of the object when the
	// store has one (a CDN or public bucket base URL), and false otherwise.
	PublicURL(key string) (string, bool)
}

// DownloadPresigner is implemented by stores whose presigned URLs can
// ask browsers to save the object as a file named filename (the answer
// carries Content-Disposition: attachment), which a redirect to a plain
// presigned URL would lose.
type DownloadPresigner interface {
	PresignDownload(ctx context.Context, key string, ttl time.Duration, filename string) (string, error)
}

// ValidateKey refuses keys that are empty, absolute, or hold "." / ".."
// elements, backslashes or NUL bytes.
func ValidateKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	return nil
}

// ValidatePrefix checks a List or DeletePrefix prefix. The empty prefix
// (everything) is allowed, and so is a trailing slash; the rest must be a
// valid key, so a prefix cannot point outside the storage root either.
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := ValidateKey(strings.TrimSuffix(prefix, "/")); err != nil {
		return fmt.Errorf("%w: prefix %q", ErrInvalidKey, prefix)
	}
	return nil
}

// ValidateRange checks rng against an object of the given size and returns
// the first and last (inclusive) byte it selects. A nil rng selects the
// whole object. An end past the object is clamped, as in HTTP ranges.
func ValidateRange(rng *Range, size int64) (start, end int64, err error) {
	if rng == nil {
		return 0, size - 1, nil
	}
	if rng.Start < 0 || (rng.End >= 0 && rng.End < rng.Start) || rng.Start >= size {
		return 0, 0, fmt.Errorf("%w: bytes %d-%d of %d", ErrInvalidRange, rng.Start, rng.End, size)
	}
	end = rng.End
	if end < 0 || end >= size {
		end = size - 1
	}
	return rng.Start, end, nil
}

// EscapeKey escapes each element of a key for use as a URL path, keeping the
// slashes that separate them.
func EscapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
