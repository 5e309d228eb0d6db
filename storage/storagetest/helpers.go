package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"cuttle.video/storage"
)

// randomBytes returns n pseudo-random bytes, different for every call.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8(seed())
	_, _ = r.Read(b)
	return b
}

func seed() [32]byte {
	var s [32]byte
	for i := range 4 {
		v := rand.Uint64()
		for j := range 8 {
			s[i*8+j] = byte(v >> (8 * j))
		}
	}
	return s
}

// stream yields n pseudo-random bytes without ever holding them all, and
// hides every interface but io.Reader so backends cannot seek or size it.
type stream struct {
	r    io.Reader
	hash io.Writer
}

func newStream(n int64) (*stream, func() [32]byte) {
	h := sha256.New()
	s := &stream{r: io.LimitReader(rand.NewChaCha8(seed()), n), hash: h}
	return s, func() [32]byte { return [32]byte(h.Sum(nil)) }
}

func (s *stream) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.hash.Write(p[:n])
	return n, err
}

// cancelling calls cancel once more than after bytes have been read, then
// keeps producing data so only the cancellation can stop the Put.
type cancelling struct {
	r      io.Reader
	read   int64
	after  int64
	cancel context.CancelFunc
}

func (c *cancelling) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	if c.read > c.after {
		c.cancel()
	}
	return n, err
}

func put(t *testing.T, s storage.Store, key string, data []byte, contentType string) {
	t.Helper()
	if err := s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), contentType); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func get(t *testing.T, s storage.Store, key string, rng *storage.Range) ([]byte, storage.ObjectInfo) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key, rng)
	if err != nil {
		t.Fatalf("Get(%q, %v): %v", key, rng, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q): read: %v", key, err)
	}
	return b, info
}

func hashOf(t *testing.T, s storage.Store, key string) ([32]byte, storage.ObjectInfo) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key, nil)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		t.Fatalf("Get(%q): read: %v", key, err)
	}
	return [32]byte(h.Sum(nil)), info
}

func wantNotFound(t *testing.T, s storage.Store, key string) {
	t.Helper()
	if _, err := s.Stat(t.Context(), key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Stat(%q) = %v, want ErrNotFound", key, err)
	}
}

func keys(infos []storage.ObjectInfo) []string {
	out := make([]string, 0, len(infos))
	for _, i := range infos {
		out = append(out, i.Key)
	}
	return out
}
