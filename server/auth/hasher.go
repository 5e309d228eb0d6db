package auth

import (
	"context"
	"fmt"
)

// Hasher runs argon2 with a bound on how many hashes are computed at
// once. Each costs about 20 MiB and tens of milliseconds of a core, so
// unbounded, a burst of logins or password changes could take the
// server's memory; beyond the bound, callers queue.
type Hasher struct {
	slots chan struct{}
}

// NewHasher allows n hashes at once.
func NewHasher(n int) *Hasher { return &Hasher{slots: make(chan struct{}, max(n, 1))} }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("auth: wait to hash a password: %w", ctx.Err())
	}
}

// Check is CheckPassword within the bound.
func (h *Hasher) Check(ctx context.Context, hash, password string) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer func() { <-h.slots }()
	return CheckPassword(hash, password)
}

// Hash is HashPassword within the bound.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-h.slots }()
	return HashPassword(password)
}
