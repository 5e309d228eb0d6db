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

// Limits on wrong video passwords, counted per video and client address
// and per video alone. The second stops guessing spread over many
// addresses; its price is that such an attack also locks out, for one
// window, viewers who know the password.
const (
	guessWindow      = 10 * time.Minute
	guessesPerClient = 10
	guessesPerVideo  = 100
)

// FileTokenTTL is how long a file token, and every link made with it,
// opens a video's files: long enough to watch a film, short enough that
// a leaked link soon dies.
const FileTokenTTL = 2 * time.Hour

// protection holds what the privacy rules need beyond the database: the
// file token key, the clock and the password guess counters.
type protection struct {
	tokenKey      []byte
	tokenTTL      time.Duration
	now           func() time.Time
	clientGuesses *auth.Limiter
	videoGuesses  *auth.Limiter
	// jobs stops the transcodes of deleted videos; nil stops none.
	jobs JobCanceller
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
	p.clientGuesses = auth.NewLimiter(guessesPerClient, guessWindow, p.now)
	p.videoGuesses = auth.NewLimiter(guessesPerVideo, guessWindow, p.now)
	return p
}
