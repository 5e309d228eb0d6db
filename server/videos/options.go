package videos

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"time"

	"cuttle.video/server/auth"
)

// Option configures a Service.
type Option func(*protection)

// WithFileSecret keys the file tokens of non-public videos. Every server
// replica must be given the same secret, or tokens from one fail on the
// others. Without it a random secret lives as long as the process.
func WithFileSecret(secret []byte) Option {
	return func(p *protection) {
		// A key of its own, so a file token can never pass for another
		// signature made with the same secret.
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("cuttle video file tokens"))
		p.tokenKey = m.Sum(nil)
	}
}

// WithClock replaces the wall clock of file tokens and password guess
// limits, so tests can expire them.
func WithClock(now func() time.Time) Option {
	return func(p *protection) {
		if now != nil {
			p.now = now
		}
	}
}

// WithFileTokenTTL sets how long file tokens last (FileTokenTTL when d
// is not positive).
func WithFileTokenTTL(d time.Duration) Option {
	return func(p *protection) {
		if d > 0 {
			p.tokenTTL = d
		}
	}
}

// Limits on wrong video passwords, counted per video and client address
// and per video alone. Past the second, guessing spread over many
// addresses is held to one wrong guess per address and window, while
// viewers who know the password still get in (see auth.Guesses).
const (
	guessWindow      = 10 * time.Minute
	guessesPerClient = 10
	guessesPerVideo  = 100
)

// FileTokenTTL is how long a file token, and every link made with it,
// opens a video's files by default: long enough to watch a film, short
// enough that a leaked link soon dies.
const FileTokenTTL = 2 * time.Hour

// protection holds what the privacy rules need beyond the database: the
// file token key, the clock and the password guess counters.
type protection struct {
	tokenKey []byte
	tokenTTL time.Duration
	now      func() time.Time
	guesses  *auth.Guesses
	// jobs stops the transcodes of deleted videos; nil stops none.
	jobs JobCanceller
	// torrents says how the torrents of originals are made; nil makes
	// none.
	torrents *torrentSite
}

func newProtection(opts []Option) *protection {
	p := &protection{tokenTTL: FileTokenTTL, now: time.Now}
	for _, o := range opts {
		o(p)
	}
	if p.tokenKey == nil {
		p.tokenKey = make([]byte, 32)
		_, _ = rand.Read(p.tokenKey)
	}
	p.guesses = auth.NewGuesses(guessesPerClient, guessesPerVideo, guessWindow, p.now)
	return p
}
