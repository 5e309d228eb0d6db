package auth

import (
	"context"
	"errors"
	"testing"
)

// Past its bound, a hash waits for a slot instead of running: with every
// slot taken, a check gives up when its request does, without hashing.
func TestHasherBoundsConcurrentHashes(t *testing.T) {
	h := NewHasher(2)
	hash, err := h.Hash(t.Context(), "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := h.acquire(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := h.Check(ctx, hash, "correct horse"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a check past the bound = %v, want it to wait and give up", err)
	}
	<-h.slots
	if err := h.Check(t.Context(), hash, "correct horse"); err != nil {
		t.Fatalf("a check once a slot is free: %v", err)
	}
}
