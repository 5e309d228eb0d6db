package auth

import "time"

// Guesses bounds wrong guesses at one secret (a video's passwords, an
// account's password) without letting the guessers lock out those who
// know it. Each client may fail perClient times per window; once all
// clients together have failed perTarget times, each client may fail only
// once in the window. A client that has not failed is always heard, so a
// right guess from it is accepted however hard others are guessing: the
// flood costs each guessing address all but one of its tries, and costs
// the real user nothing.
type Guesses struct {
	perClient *Limiter
	perTarget *Limiter
	// once counts a client's failures made while the target is under
	// attack, against a burst of one: a typo made before the attack does
	// not cost the real user their turn during it.
	once *Limiter
}

// NewGuesses returns the counters; now may be nil for the wall clock.
func NewGuesses(perClient, perTarget int, window time.Duration, now func() time.Time) *Guesses {
	return &Guesses{
		perClient: NewLimiter(perClient, window, now),
		perTarget: NewLimiter(perTarget, window, now),
		once:      NewLimiter(1, window, now),
	}
}

// Blocked tells whether client may not guess target now and, if so, how
// long until it may. It records nothing.
func (g *Guesses) Blocked(target, client string) (bool, time.Duration) {
	key := target + " " + client
	if blocked, wait := g.perClient.Blocked(key); blocked {
		return true, wait
	}
	if attacked, _ := g.perTarget.Blocked(target); !attacked {
		return false, 0
	}
	return g.once.Blocked(key)
}

// Fail records a wrong guess of client at target.
func (g *Guesses) Fail(target, client string) {
	key := target + " " + client
	g.perClient.Fail(key)
	if attacked, _ := g.perTarget.Blocked(target); attacked {
		g.once.Fail(key)
	}
	g.perTarget.Fail(target)
}
