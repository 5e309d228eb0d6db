package auth

import "time"

// A Limiter can also count only failures, for guarding secrets such as
// video passwords: Blocked is asked before checking a guess, Fail is told
// of a wrong one, and right guesses cost nothing.

// Blocked tells whether key used up its attempts in the current window
// and, if so, how long until it may try again. It records nothing.
func (l *Limiter) Blocked(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	w := l.current(key, now)
	if w.count >= l.burst {
		return true, w.start.Add(l.window).Sub(now)
	}
	return false, 0
}

// Fail records a failed attempt for key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.current(key, l.now()).count++
}
