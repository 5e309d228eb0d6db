package activitypub

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/federation"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/problem"
)

// inbox takes an activity another server delivers, to the shared inbox
// or an actor's: its signature must be its sender's, fresh and over the
// body received; it is then kept and answered 202, and processed apart.
// Each remote server's deliveries are bounded, by client address until
// the signature names its host, then by that host.
func (s *face) inbox(c *gin.Context) {
	r := c.Request
	if err := s.allowDelivery("addr " + httpserve.ClientKey(c)); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if r.ContentLength > httpsig.DefaultMaxBody {
		httpserve.Fail(c, problem.New(http.StatusRequestEntityTooLarge, "activities are at most %d bytes", httpsig.DefaultMaxBody))
		return
	}
	signer, err := s.verify(r)
	if err != nil {
		if errors.Is(err, httpsig.ErrBodyTooLarge) {
			httpserve.Fail(c, problem.New(http.StatusRequestEntityTooLarge, "activities are at most %d bytes", httpsig.DefaultMaxBody))
			return
		}
		if errors.Is(err, federation.ErrBlocked) {
			// The signer's server is blocked: its key is not fetched, and
			// nothing it sends would be taken anyway.
			httpserve.Fail(c, problem.New(http.StatusForbidden, "this instance blocks the server that signed the request").WithErr(err))
			return
		}
		httpserve.Fail(c, problem.New(http.StatusUnauthorized, "the request's HTTP signature could not be verified: %s", err).WithErr(err))
		return
	}
	if err := s.allowDelivery("host " + signer.Host); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Federation.Refuses(r.Context(), signer); err != nil {
		httpserve.Fail(c, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, httpsig.DefaultMaxBody+1))
	if err != nil || int64(len(body)) > httpsig.DefaultMaxBody {
		httpserve.Fail(c, problem.New(http.StatusBadRequest, "the activity could not be read whole"))
		return
	}
	if err := s.Federation.Receive(r.Context(), signer.URL, body); err != nil {
		httpserve.Fail(c, problem.Internal(err))
		return
	}
	c.Status(http.StatusAccepted)
}

// allowDelivery counts a delivery against key: past the limit, the
// answer is a 429 saying when to come back, which delivering servers
// (PeerTube's, Mastodon's) honour by retrying later.
func (s *face) allowDelivery(key string) error {
	if ok, retry := s.InboxLimit.Allow(key); !ok {
		secs := int(retry.Seconds()) + 1
		return problem.New(http.StatusTooManyRequests, "too many deliveries from this server; retry in %d seconds", secs).
			WithHeader("Retry-After", strconv.Itoa(secs))
	}
	return nil
}

// verify checks a request's signature and returns the actor that signed
// it. A key that does not verify is fetched again once, for actors
// rotate their keys; a signature seen before is refused, so that a
// captured request cannot be played again.
func (s *face) verify(r *http.Request) (*database.Actor, error) {
	var signer *database.Actor
	lookup := func(refresh bool) httpsig.KeyLookup {
		return func(ctx context.Context, keyID string) (*rsa.PublicKey, error) {
			key, actor, err := s.Federation.PublicKey(ctx, keyID, refresh)
			if err != nil {
				return nil, err
			}
			signer = actor
			return key, nil
		}
	}
	v := httpsig.Verifier{}
	_, err := v.Verify(r, lookup(false))
	var mismatch *httpsig.KeyMismatchError
	if errors.As(err, &mismatch) {
		_, err = v.Verify(r, lookup(true))
	}
	if err != nil {
		return nil, err
	}
	if !s.replays.first(r.Header.Get("Signature")) {
		return nil, errors.New("this signed request was received before")
	}
	return signer, nil
}

// replayGuard remembers the signatures received within the time a
// signature is valid, so each is accepted once. Replicas keep their own:
// a replay sent to another replica is stopped there only by the
// idempotence of what it carries.
type replayGuard struct {
	mu   sync.Mutex
	seen map[[sha256.Size]byte]time.Time
	ttl  time.Duration
	max  int
}

func newReplayGuard() *replayGuard {
	// Twice the skew Verifier allows either way covers a signature's life.
	return &replayGuard{seen: map[[sha256.Size]byte]time.Time{}, ttl: 2 * httpsig.DefaultMaxSkew, max: 100_000}
}

// first records sig and says whether it is new.
func (g *replayGuard) first(sig string) bool {
	key := sha256.Sum256([]byte(strings.TrimSpace(sig)))
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if at, ok := g.seen[key]; ok && now.Sub(at) < g.ttl {
		return false
	}
	if len(g.seen) >= g.max {
		for k, at := range g.seen {
			if now.Sub(at) >= g.ttl {
				delete(g.seen, k)
			}
		}
		if len(g.seen) >= g.max {
			// Flooded with fresh signatures: forget half of them, any,
			// rather than grow without bound.
			n := 0
			for k := range g.seen {
				if n >= g.max/2 {
					break
				}
				delete(g.seen, k)
				n++
			}
		}
	}
	g.seen[key] = now
	return true
}
