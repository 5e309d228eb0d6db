package engagement

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// MemorySeen is Seen in this process's memory. Expired keys are swept
// when the map has doubled since the last sweep or a window has passed,
// so memory follows the views of the last window without a timer.
type MemorySeen struct {
	now func() time.Time

	mu        sync.Mutex
	keys      map[string]memEntry
	swept     time.Time
	sweptSize int
}

type memEntry struct {
	n       int64
	expires time.Time
}

// NewMemorySeen returns an empty MemorySeen on the clock now.
func NewMemorySeen(now func() time.Time) *MemorySeen {
	return &MemorySeen{now: now, keys: map[string]memEntry{}, swept: now()}
}

var _ Seen = (*MemorySeen)(nil)

// First implements Seen.
func (m *MemorySeen) First(_ context.Context, key string, ttl time.Duration) (bool, error) {
	n := m.incr(key, ttl)
	return n == 1, nil
}

// Add implements Seen.
func (m *MemorySeen) Add(_ context.Context, key string, ttl time.Duration) (int64, error) {
	return m.incr(key, ttl), nil
}

func (m *MemorySeen) incr(key string, ttl time.Duration) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now, ttl)
	e, ok := m.keys[key]
	if !ok || !now.Before(e.expires) {
		e = memEntry{expires: now.Add(ttl)}
	}
	e.n++
	m.keys[key] = e
	return e.n
}

func (m *MemorySeen) sweep(now time.Time, ttl time.Duration) {
	if len(m.keys) < 2*max(m.sweptSize, 512) && now.Sub(m.swept) < ttl {
		return
	}
	for k, e := range m.keys {
		if !now.Before(e.expires) {
			delete(m.keys, k)
		}
	}
	m.swept, m.sweptSize = now, len(m.keys)
}

// RedisSeen is Seen in Redis, shared by server replicas.
type RedisSeen struct {
	client redis.UniversalClient
	prefix string
}

// NewRedisSeen keeps its keys under prefix.
func NewRedisSeen(client redis.UniversalClient, prefix string) *RedisSeen {
	return &RedisSeen{client: client, prefix: prefix}
}

var _ Seen = (*RedisSeen)(nil)

// First implements Seen.
func (r *RedisSeen) First(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := r.client.SetNX(ctx, r.prefix+key, 1, ttl).Result()
	return ok, err
}

// Add implements Seen. The counter is created with its expiry first, so
// a crash between the two commands cannot leave one that never expires.
func (r *RedisSeen) Add(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	k := r.prefix + key
	pipe := r.client.TxPipeline()
	pipe.SetNX(ctx, k, 0, ttl)
	incr := pipe.Incr(ctx, k)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	return incr.Val(), nil
}
