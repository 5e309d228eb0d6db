package auth

import (
	"sync"
	"time"
)

// Limiter allows Burst attempts per key in each Window; a fixed window
// keeps the state to two numbers per key. It needs no goroutine: stale
// keys are swept when the map grows.
type Limiter struct {
	burst  int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	windows map[string]*window
}

type window struct {
	start time.Time
	count int
}

// sweepAt is the map size that triggers removal of finished windows.
const sweepAt = 4096

// NewLimiter returns a limiter; now may be nil for the wall clock.
func NewLimiter(burst int, per time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{burst: burst, window: per, now: now, windows: map[string]*window{}}
}

// Allow records an attempt for key. When the limit is reached it returns
// false and how long until the next attempt is allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	w := l.current(key, now)
	if w.count >= l.burst {
		return false, w.start.Add(l.window).Sub(now)
	}
	w.count++
	return true, 0
}

// current returns key's window at now, starting a new one when the last
// has ended. The caller holds mu.
func (l *Limiter) current(key string, now time.Time) *window {
	if len(l.windows) >= sweepAt {
		for k, w := range l.windows {
			if now.Sub(w.start) >= l.window {
				delete(l.windows, k)
			}
		}
	}
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &window{start: now}
		l.windows[key] = w
	}
	return w
}
