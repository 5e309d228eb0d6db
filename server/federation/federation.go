// Package federation is what ActivityPub means for this instance: the
// remote actors it knows and checks signatures against, who follows
// whom, the activities received (kept until processed, then applied),
// and the activities sent when something local changes, handed to the
// outbox for delivery.
package federation

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/deadline"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/media"
	"cuttle.video/server/outbox"
	"cuttle.video/server/safehttp"
	"cuttle.video/server/vocab"
)

// Config is what the service needs to know of the instance.
type Config struct {
	// InstanceFollowersApproval keeps follows of the instance pending
	// until an admin accepts them.
	InstanceFollowersApproval bool
	// AutoFollowBack follows every instance whose follow is accepted.
	AutoFollowBack bool
	// P2P says the instance's tracker is on, for the trackers videos
	// name.
	P2P bool
	// Outbox tunes deliveries.
	Outbox outbox.Config
}

// Service holds the federation rules.
type Service struct {
	cfg    Config
	db     *database.DB
	actors *actors.Service
	client *safehttp.Client
	out    *outbox.Outbox
	urls   *media.URLs
	log    *slog.Logger
	// inbox runs the processing of received activities when one is due.
	inbox *deadline.Timer

	keysMu sync.Mutex
	keys   map[string]*rsa.PrivateKey
	views  viewCounts
}

// New builds the service, with its outbox, which signs with the local
// actors' keys; Run delivers and processes.
func New(cfg Config, db *database.DB, acts *actors.Service, urls *media.URLs, client *safehttp.Client, log *slog.Logger) *Service {
	s := &Service{cfg: cfg, db: db, actors: acts, urls: urls, client: client, log: log, keys: map[string]*rsa.PrivateKey{},
		views: viewCounts{sent: map[int64]time.Time{}}}
	s.out = outbox.New(cfg.Outbox, db, client, s, log)
	s.inbox = deadline.New(nil, s.drain)
	return s
}

// Run delivers what is queued and processes what was received, until ctx
// ends; first it tells other servers of the changes to local videos that
// a stop left untold. What is left stays stored for the next run.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.out.Run(ctx) })
	s.inbox.By(time.Now())
	if err := s.ReconcileVideos(ctx); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "federation: tell of videos changed before the stop", "err", err)
	}
	<-ctx.Done()
	s.inbox.Close()
	wg.Wait()
}

// ErrGone is a remote object its server says no longer exists.
var ErrGone = errors.New("federation: remote object gone")

// fetch GETs an ActivityPub document, signed by the instance's actor so
// that servers which refuse unsigned fetches answer too.
func (s *Service) fetch(ctx context.Context, target string) ([]byte, error) {
	if err := s.checkFetch(ctx, target); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("federation: fetch %s: %w", target, err)
	}
	req.Header.Set("Accept", vocab.AcceptHeader)
	inst := s.actors.Instance()
	key, err := s.actors.Key(ctx, inst)
	if err != nil {
		return nil, err
	}
	if err := httpsig.Sign(req, key.Private, inst.KeyID(), httpsig.SignOptions{}); err != nil {
		return nil, fmt.Errorf("federation: sign fetch of %s: %w", target, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("federation: fetch %s: %w", target, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusGone || resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("federation: fetch %s: %s: %w", target, resp.Status, ErrGone)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("federation: fetch %s: %s", target, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("federation: fetch %s: %w", target, err)
	}
	return body, nil
}

// PrivateKey is the key a local actor signs with, named by its key id:
// what the outbox asks for each delivery it signs. Keys are made once
// and never change, so they are kept after the first use: a fan-out to
// a thousand inboxes reads and parses the key once.
func (s *Service) PrivateKey(ctx context.Context, keyID string) (*rsa.PrivateKey, error) {
	s.keysMu.Lock()
	k, ok := s.keys[keyID]
	s.keysMu.Unlock()
	if ok {
		return k, nil
	}
	k, err := s.loadPrivateKey(ctx, keyID)
	if err != nil {
		return nil, err
	}
	s.keysMu.Lock()
	if len(s.keys) >= maxCachedKeys {
		clear(s.keys)
	}
	s.keys[keyID] = k
	s.keysMu.Unlock()
	return k, nil
}

// maxCachedKeys bounds the keys kept: actors that sent something lately.
const maxCachedKeys = 1000

func (s *Service) loadPrivateKey(ctx context.Context, keyID string) (*rsa.PrivateKey, error) {
	a, err := s.actors.ByKeyID(ctx, keyID)
	if err != nil {
		return nil, fmt.Errorf("federation: signer %s: %w", keyID, err)
	}
	k, err := s.actors.Key(ctx, a)
	if err != nil {
		return nil, err
	}
	return k.Private, nil
}

// localRow is the actors row of a local actor, made on first need.
func (s *Service) localRow(ctx context.Context, a actors.Actor) (*database.Actor, error) {
	var accountID, channelID int64
	switch {
	case a.Account != nil:
		accountID = a.Account.ID
	case a.Channel != nil:
		channelID = a.Channel.ID
	}
	row, err := s.db.LocalActor(ctx, string(a.Kind), accountID, channelID)
	if err != nil {
		return nil, fmt.Errorf("federation: row of %s: %w", a.ID, err)
	}
	return row, nil
}

// local is the local actor a row stands for.
func (s *Service) local(ctx context.Context, row *database.Actor) (actors.Actor, error) {
	switch {
	case row.AccountID != 0:
		a, err := s.db.AccountByID(ctx, row.AccountID)
		if err != nil {
			return actors.Actor{}, fmt.Errorf("federation: account of actor %d: %w", row.ID, err)
		}
		return s.actors.AccountActor(a), nil
	case row.ChannelID != 0:
		c, err := s.db.ChannelByID(ctx, row.ChannelID)
		if err != nil {
			return actors.Actor{}, fmt.Errorf("federation: channel of actor %d: %w", row.ID, err)
		}
		return s.actors.ChannelActor(c), nil
	}
	return s.actors.Instance(), nil
}

// send queues an activity, signed by a local actor, for the inboxes.
func (s *Service) send(ctx context.Context, signer actors.Actor, activity vocab.Object, inboxes []string) error {
	inboxes, err := s.deliverable(ctx, inboxes)
	if err != nil {
		return err
	}
	if len(inboxes) == 0 {
		return nil
	}
	body, err := json.Marshal(activity.Sent(now()))
	if err != nil {
		return fmt.Errorf("federation: encode %s: %w", activity.ID(), err)
	}
	if err := s.out.Enqueue(ctx, s.db, outbox.Activity{ID: activity.ID(), KeyID: signer.KeyID(), Body: body}, inboxes); err != nil {
		return err
	}
	s.out.Kick()
	return nil
}

// now is the time activities are stamped with.
func now() time.Time { return time.Now().UTC() }
