package netlimit

import "sync"

// Counter caps how many of something (connections, sockets) each client
// key holds at once.
type Counter struct {
	max  int
	mu   sync.Mutex
	open map[string]int
}

// NewCounter returns a Counter allowing max per key.
func NewCounter(max int) *Counter { return &Counter{max: max, open: map[string]int{}} }

// Acquire takes a place for key, or reports false when key holds max.
func (c *Counter) Acquire(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[key] >= c.max {
		return false
	}
	c.open[key]++
	return true
}

// Release gives back a place Acquire took.
func (c *Counter) Release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[key]--; c.open[key] <= 0 {
		delete(c.open, key)
	}
}
