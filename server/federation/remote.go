package federation

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/vocab"
)

// actorTTL is how long a remote actor's document is trusted before it is
// fetched again when next needed; a key that stops verifying is fetched
// again at once.
const actorTTL = 24 * time.Hour

// maxOwnerDepth bounds how far a Group's owner is followed: a Group owned
// by a Group owned by ... is refused rather than walked.
const maxOwnerDepth = 1

// RemoteActor returns the actor whose id is target: known and fresh, or
// fetched (again) from its server and stored, with its account (a
// Person) or channel (a Group, with its owner's account).
func (s *Service) RemoteActor(ctx context.Context, target string, refresh bool) (*database.Actor, error) {
	return s.remoteActor(ctx, target, refresh, 0)
}

func (s *Service) remoteActor(ctx context.Context, target string, refresh bool, depth int) (*database.Actor, error) {
	if s.isLocal(target) {
		return nil, fmt.Errorf("federation: %s is a local URL, not a remote actor", target)
	}
	known, err := s.db.ActorByURL(ctx, target)
	switch {
	case err == nil && !refresh && known.FetchedAt != nil && time.Since(*known.FetchedAt) < actorTTL:
		return known, nil
	case err != nil && !errors.Is(err, database.ErrNotFound):
		return nil, err
	}
	body, err := s.fetch(ctx, target)
	if err != nil {
		return nil, err
	}
	doc, err := vocab.ParseActor(body)
	if err != nil {
		return nil, fmt.Errorf("federation: actor %s: %w", target, err)
	}
	// What answers for an id must be that id: a server may not hand out
	// another one's actor.
	if doc.ID != target {
		return nil, fmt.Errorf("federation: %s answered with actor %s", target, doc.ID)
	}
	if err := s.checkKey(doc); err != nil {
		return nil, err
	}
	row := &database.Actor{}
	if known != nil && known.ID != 0 {
		row = known
	}
	host := hostOf(doc.ID)
	fetched := time.Now().UTC()
	*row = database.Actor{
		ID: row.ID, Type: doc.Type, URL: doc.ID, Host: host, Username: doc.PreferredUsername,
		Inbox: doc.Inbox, SharedInbox: doc.SharedInbox, Outbox: doc.Outbox, Followers: doc.Followers,
		KeyID: doc.PublicKeyID, PublicKeyPEM: doc.PublicKeyPEM,
		AccountID: row.AccountID, ChannelID: row.ChannelID, FetchedAt: &fetched, CreatedAt: row.CreatedAt,
	}
	display := doc.Name
	if display == "" {
		display = doc.PreferredUsername
	}
	var owner *database.Actor
	if doc.Type == "Group" {
		if depth >= maxOwnerDepth {
			return nil, fmt.Errorf("federation: group %s is owned by another group", target)
		}
		owner, err = s.groupOwner(ctx, doc, depth)
		if err != nil {
			return nil, err
		}
	}
	err = s.db.Tx(ctx, func(tx *database.DB) error {
		switch doc.Type {
		case "Person":
			if row.AccountID == 0 {
				a := &database.Account{Host: host, URL: doc.ID, Name: doc.PreferredUsername, DisplayName: display, Description: doc.Summary}
				if err := tx.InsertAccount(ctx, a); err != nil {
					return err
				}
				row.AccountID = a.ID
			} else if err := tx.UpdateAccount(ctx, &database.Account{ID: row.AccountID, DisplayName: display, Description: doc.Summary}, "display_name", "description"); err != nil {
				return err
			}
		case "Group":
			if row.ChannelID == 0 {
				c := &database.Channel{AccountID: owner.AccountID, Host: host, URL: doc.ID, Name: doc.PreferredUsername, DisplayName: display, Description: doc.Summary}
				if err := tx.CreateChannel(ctx, c); err != nil {
					return err
				}
				row.ChannelID = c.ID
			} else if err := tx.UpdateChannel(ctx, &database.Channel{ID: row.ChannelID, DisplayName: display, Description: doc.Summary}, "display_name", "description"); err != nil {
				return err
			}
		}
		if row.ID == 0 {
			return tx.InsertActor(ctx, row)
		}
		return tx.UpdateActor(ctx, row, "type", "username", "inbox", "shared_inbox", "outbox", "followers", "key_id", "public_key_pem", "account_id", "channel_id", "fetched_at")
	})
	if errors.Is(err, database.ErrConflict) && row.ID == 0 {
		// Another request stored it meanwhile.
		return s.db.ActorByURL(ctx, target)
	}
	if err != nil {
		return nil, fmt.Errorf("federation: store actor %s: %w", target, err)
	}
	return row, nil
}

// groupOwner is the Person a remote Group belongs to, on its server: a
// channel's account.
func (s *Service) groupOwner(ctx context.Context, doc vocab.Actor, depth int) (*database.Actor, error) {
	for _, id := range doc.AttributedTo {
		if !vocab.SameOrigin(id, doc.ID) {
			continue
		}
		owner, err := s.remoteActor(ctx, id, false, depth+1)
		if err != nil {
			return nil, err
		}
		if owner.AccountID != 0 {
			return owner, nil
		}
	}
	return nil, fmt.Errorf("federation: group %s has no owner account on its server", doc.ID)
}

// checkKey refuses an actor whose key cannot be read: it could never
// sign anything.
func (s *Service) checkKey(doc vocab.Actor) error {
	if _, err := httpsig.ParsePublicKeyPEM(doc.PublicKeyPEM); err != nil {
		return fmt.Errorf("federation: key of actor %s: %w", doc.ID, err)
	}
	return nil
}

// PublicKey finds the key a remote request names, for signature checks:
// the key of the actor whose id is keyID without its fragment, fetched
// when unknown or stale, or when refresh (the stored key failed to
// verify: keys rotate).
func (s *Service) PublicKey(ctx context.Context, keyID string, refresh bool) (*rsa.PublicKey, *database.Actor, error) {
	owner, _, _ := strings.Cut(keyID, "#")
	if owner == "" || s.isLocal(owner) {
		return nil, nil, fmt.Errorf("federation: key %q names no remote actor", keyID)
	}
	a, err := s.RemoteActor(ctx, owner, refresh)
	if errors.Is(err, ErrGone) {
		// An actor deleting itself is gone from its server by the time
		// its Delete arrives: the key last known still checks it.
		if known, kerr := s.db.ActorByURL(ctx, owner); kerr == nil {
			a, err = known, nil
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if a.KeyID != keyID {
		if refresh || a.FetchedAt != nil && time.Since(*a.FetchedAt) < time.Minute {
			return nil, nil, fmt.Errorf("federation: actor %s has no key %s", owner, keyID)
		}
		return s.PublicKey(ctx, keyID, true)
	}
	key, err := httpsig.ParsePublicKeyPEM(a.PublicKeyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("federation: key of %s: %w", owner, err)
	}
	return key, a, nil
}

// Resolve finds a remote actor by handle (name@host, with or without a
// leading @ or acct:) through the host's WebFinger.
func (s *Service) Resolve(ctx context.Context, handle string) (*database.Actor, error) {
	handle = strings.TrimPrefix(strings.TrimPrefix(handle, "acct:"), "@")
	name, host, ok := strings.Cut(handle, "@")
	if !ok || name == "" || host == "" || strings.ContainsAny(handle, "/?#") {
		return nil, fmt.Errorf("federation: %q is not name@host", handle)
	}
	scheme := "https"
	if s.client.AllowsHTTP() {
		// Test and private setups without TLS: their WebFinger is plain.
		scheme = "http"
	}
	q := url.Values{"resource": {"acct:" + name + "@" + host}}
	body, err := s.fetch(ctx, scheme+"://"+host+"/.well-known/webfinger?"+q.Encode())
	if err != nil {
		return nil, err
	}
	var jrd struct {
		Links []struct {
			Rel  string `json:"rel"`
			Type string `json:"type"`
			Href string `json:"href"`
		} `json:"links"`
	}
	if err := json.Unmarshal(body, &jrd); err != nil {
		return nil, fmt.Errorf("federation: webfinger of %s: %w", handle, err)
	}
	for _, l := range jrd.Links {
		if l.Rel == "self" && vocab.IsContentType(l.Type) {
			if !strings.EqualFold(hostOf(l.Href), host) {
				// The host vouches for its own actors only.
				return nil, fmt.Errorf("federation: webfinger of %s points to another server: %s", handle, l.Href)
			}
			return s.RemoteActor(ctx, l.Href, false)
		}
	}
	return nil, fmt.Errorf("federation: webfinger of %s has no ActivityPub actor", handle)
}

// isLocal says target is under this instance's address.
func (s *Service) isLocal(target string) bool {
	return vocab.SameOrigin(target, s.actors.PublicURL())
}

// hostOf is a URL's host[:port], lowercased, as accounts and channels of
// other instances record it.
func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
