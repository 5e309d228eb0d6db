// Package actors says who the instance's local ActivityPub actors are
// and how other servers address them: accounts are Persons, channels
// Groups, and the instance itself the Application named "peertube",
// each under the URLs PeerTube gives its own, with an RSA key pair made
// the first time it is needed.
package actors

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cuttle.video/server/accounts"
	"cuttle.video/server/database"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/problem"
)

// Kind is an actor's ActivityPub type.
type Kind string

// The kinds of local actors.
const (
	Person      Kind = "Person"
	Group       Kind = "Group"
	Application Kind = "Application"
)

// Actor is a local actor.
type Actor struct {
	Kind Kind
	// Name is its preferredUsername: the account's or channel's name.
	Name string
	// ID is its URL, which other servers know it by.
	ID string
	// Account is the Person's; Channel the Group's (with its account).
	Account *database.Account
	Channel *database.Channel
}

// The URLs PeerTube builds from an actor's id.
func (a Actor) Inbox() string     { return a.ID + "/inbox" }
func (a Actor) Outbox() string    { return a.ID + "/outbox" }
func (a Actor) Followers() string { return a.ID + "/followers" }
func (a Actor) Following() string { return a.ID + "/following" }
func (a Actor) Playlists() string { return a.ID + "/playlists" }

// KeyID names the actor's public key in signatures.
func (a Actor) KeyID() string { return a.ID + "#main-key" }

// localID is the row the actor is: 0 for the instance.
func (a Actor) localID() int64 {
	switch {
	case a.Account != nil:
		return a.Account.ID
	case a.Channel != nil:
		return a.Channel.ID
	}
	return 0
}

// Service finds local actors and their keys.
type Service struct {
	publicURL string
	host      string
	accounts  *accounts.Service
	db        *database.DB
}

// Config locates the instance.
type Config struct {
	// PublicURL is its scheme://host[:port], without a trailing slash.
	PublicURL string
	// Host is PublicURL's host[:port], which handles name.
	Host string
}

// New returns the instance's actors.
func New(cfg Config, accts *accounts.Service, db *database.DB) *Service {
	return &Service{publicURL: cfg.PublicURL, host: cfg.Host, accounts: accts, db: db}
}

// Host is the instance's host, as handles name it (with the port, if any).
func (s *Service) Host() string { return s.host }

// PublicURL is the instance's scheme://host[:port].
func (s *Service) PublicURL() string { return s.publicURL }

// SharedInbox is the inbox of every local actor at once.
func (s *Service) SharedInbox() string { return s.publicURL + "/inbox" }

// PersonURL is the id of the account called name.
func PersonURL(publicURL, name string) string {
	return publicURL + "/accounts/" + url.PathEscape(name)
}

// GroupURL is the id of the channel called name.
func GroupURL(publicURL, name string) string {
	return publicURL + "/video-channels/" + url.PathEscape(name)
}

// Instance is the instance's own actor.
func (s *Service) Instance() Actor {
	return Actor{Kind: Application, Name: accounts.InstanceActorName, ID: PersonURL(s.publicURL, accounts.InstanceActorName)}
}

// AccountActor is the Person of a.
func (s *Service) AccountActor(a *database.Account) Actor {
	return Actor{Kind: Person, Name: a.Name, ID: PersonURL(s.publicURL, a.Name), Account: a}
}

// ChannelActor is the Group of c.
func (s *Service) ChannelActor(c *database.Channel) Actor {
	return Actor{Kind: Group, Name: c.Name, ID: GroupURL(s.publicURL, c.Name), Channel: c}
}

// Account is the actor at /accounts/{handle}: the instance for
// "peertube", else the account (handle may be name@host, see
// accounts.Service.Account).
func (s *Service) Account(ctx context.Context, handle string) (Actor, error) {
	if name, host, _ := strings.Cut(handle, "@"); strings.EqualFold(name, accounts.InstanceActorName) && (host == "" || strings.EqualFold(host, s.host)) {
		return s.Instance(), nil
	}
	a, err := s.accounts.Account(ctx, handle)
	if err != nil {
		return Actor{}, err
	}
	return s.AccountActor(a), nil
}

// Channel is the actor at /video-channels/{handle}.
func (s *Service) Channel(ctx context.Context, handle string) (Actor, error) {
	c, err := s.accounts.Channel(ctx, handle)
	if err != nil {
		return Actor{}, err
	}
	return s.ChannelActor(c), nil
}

// Named is the local actor a handle names, as WebFinger asks: accounts
// and channels share one name space, and an account wins over a channel
// of the same name (which only rows older than that rule can hold).
func (s *Service) Named(ctx context.Context, name string) (Actor, error) {
	a, err := s.Account(ctx, name)
	if err == nil || problem.From(err).Status != http.StatusNotFound {
		return a, err
	}
	a, err = s.Channel(ctx, name)
	if err != nil && problem.From(err).Status == http.StatusNotFound {
		return Actor{}, problem.NotFound("actor")
	}
	return a, err
}

// ByKeyID is the local actor whose key keyID names, as a signer
// written into a queued delivery names it.
func (s *Service) ByKeyID(ctx context.Context, keyID string) (Actor, error) {
	id, ok := strings.CutSuffix(keyID, "#main-key")
	if !ok {
		return Actor{}, problem.NotFound("actor key")
	}
	return s.ByURL(ctx, id)
}

// ByURL is the local actor whose id is id, as remote activities name it.
func (s *Service) ByURL(ctx context.Context, id string) (Actor, error) {
	var a Actor
	var err error
	switch rest := strings.TrimPrefix(id, s.publicURL); {
	case rest == id:
		return Actor{}, problem.NotFound("actor")
	case strings.HasPrefix(rest, "/accounts/"):
		a, err = s.Account(ctx, unescape(strings.TrimPrefix(rest, "/accounts/")))
	case strings.HasPrefix(rest, "/video-channels/"):
		a, err = s.Channel(ctx, unescape(strings.TrimPrefix(rest, "/video-channels/")))
	default:
		return Actor{}, problem.NotFound("actor")
	}
	if err != nil {
		return Actor{}, err
	}
	if a.ID != id {
		return Actor{}, problem.NotFound("actor")
	}
	return a, nil
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// Key is an actor's key pair.
type Key struct {
	// PublicPEM is the public key as actors publish it (SPKI PEM).
	PublicPEM string
	// Private signs what the actor sends.
	Private *rsa.PrivateKey
	// CreatedAt is when the key was made.
	CreatedAt time.Time
}

// Key returns the actor's key pair, made and stored on first need. Two
// requests (or replicas) asking at once may both make one; the first
// stored is the one both return.
func (s *Service) Key(ctx context.Context, a Actor) (Key, error) {
	row, err := s.db.ActorKey(ctx, string(a.Kind), a.localID())
	if errors.Is(err, database.ErrNotFound) {
		row, err = s.addKey(ctx, a)
	}
	if err != nil {
		return Key{}, problem.Internal(fmt.Errorf("actors: key of %s: %w", a.ID, err))
	}
	priv, err := httpsig.ParsePrivateKeyPEM(row.PrivatePEM)
	if err != nil {
		return Key{}, problem.Internal(fmt.Errorf("actors: stored key of %s: %w", a.ID, err))
	}
	return Key{PublicPEM: row.PublicPEM, Private: priv, CreatedAt: row.CreatedAt}, nil
}

func (s *Service) addKey(ctx context.Context, a Actor) (*database.ActorKey, error) {
	priv, err := httpsig.GenerateKey()
	if err != nil {
		return nil, err
	}
	privPEM, err := httpsig.EncodePrivateKeyPEM(priv)
	if err != nil {
		return nil, err
	}
	pubPEM, err := httpsig.EncodePublicKeyPEM(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	return s.db.AddActorKey(ctx, &database.ActorKey{ActorKind: string(a.Kind), ActorID: a.localID(), PrivatePEM: privPEM, PublicPEM: pubPEM})
}

// The media types that ask for ActivityPub documents.
const (
	ContentType = "application/activity+json"
	ldJSON      = "application/ld+json"
	asProfile   = "https://www.w3.org/ns/activitystreams"
)

// AcceptsActivityPub says an Accept header asks for an ActivityPub
// document rather than a page: it names application/activity+json, or
// application/ld+json without a profile or with ActivityStreams', and
// does not refuse it with q=0. Wildcards do not count: browsers send them.
func AcceptsActivityPub(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		typ, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
				continue
			}
		}
		switch typ {
		case ContentType:
			return true
		case ldJSON:
			if p, ok := params["profile"]; !ok || strings.Contains(" "+p+" ", " "+asProfile+" ") {
				return true
			}
		}
	}
	return false
}
