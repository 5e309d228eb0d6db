// Package outbox is the persistent queue of signed ActivityPub activities
// on their way to remote inboxes. An activity is recorded for its inboxes
// in the transaction that makes it happen, and sent after commit: it
// survives restarts, is retried with backoff, goes once to each inbox
// (followers behind one shared inbox get one request), and a dead server
// is paused instead of holding up the others. Rows are leased, so server
// replicas on one database share the work without sending a row twice.
package outbox

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/safehttp"
)

// Keys finds the private key of a local actor by its key id. It is asked
// once per request sent, so it should cache.
type Keys interface {
	PrivateKey(ctx context.Context, keyID string) (*rsa.PrivateKey, error)
}

// Config tunes an Outbox; zero fields take the defaults.
type Config struct {
	// Workers bounds the requests in flight, all hosts together (16).
	Workers int
	// PerHost bounds the requests in flight to one host (2), so that a
	// slow server takes at most that many workers.
	PerHost int
	// MaxAttempts is how many times a delivery is tried before it is
	// dropped (10).
	MaxAttempts int
	// BackoffBase and BackoffMax bound the wait before a retry, which
	// doubles with each attempt, with jitter (30 s, 6 h). A host's pause
	// grows the same way with its consecutive failures.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// HostPauseAfter is how many consecutive failures of a host pause
	// all of its deliveries (3).
	HostPauseAfter int
	// RequestTimeout bounds one delivery request (10 s).
	RequestTimeout time.Duration
	// Lease is how long a claimed delivery stays out of other senders'
	// reach; one whose sender died is tried again after it (10 times
	// RequestTimeout). It must outlast a row's wait in memory plus its
	// request.
	Lease time.Duration
}

func (c *Config) setDefaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Workers, 16)
	def(&c.PerHost, 2)
	def(&c.MaxAttempts, 10)
	def(&c.HostPauseAfter, 3)
	defDur(&c.BackoffBase, 30*time.Second)
	defDur(&c.BackoffMax, 6*time.Hour)
	defDur(&c.RequestTimeout, 10*time.Second)
	defDur(&c.Lease, 10*c.RequestTimeout)
	c.BackoffMax = max(c.BackoffMax, c.BackoffBase)
}

// Outbox sends the queued deliveries. Enqueue and Kick may be called from
// any goroutine; Run does the sending.
type Outbox struct {
	cfg    Config
	db     *database.DB
	client *safehttp.Client
	keys   Keys
	log    *slog.Logger
	now    func() time.Time
	kick   chan struct{}

	mu sync.Mutex
	// answered is when this process last recorded each host's success.
	answered map[string]time.Time
}

// New returns an Outbox sending through client, the guarded client for
// requests to other servers (its User-Agent included).
func New(cfg Config, db *database.DB, client *safehttp.Client, keys Keys, log *slog.Logger) *Outbox {
	cfg.setDefaults()
	return &Outbox{
		cfg: cfg, db: db, client: client, keys: keys, log: log,
		now:      time.Now,
		kick:     make(chan struct{}, 1),
		answered: map[string]time.Time{},
	}
}

// Activity is one activity to deliver, as sent.
type Activity struct {
	ID    string // the activity's id URL; with an inbox, what makes a delivery unique
	KeyID string // the key id of the actor that signs it
	Body  []byte // the JSON document
}

// Enqueue records a for each of inboxes through tx, the caller's
// transaction (or the database itself). Repeated inboxes, and inboxes
// these very bytes are queued for already, are recorded once; each inbox
// gets what is queued for it in order. An inbox that
// is not an http(s) URL is logged and left out. It sends nothing: call
// Kick once tx commits, or the rows wait for the next wake-up.
func (o *Outbox) Enqueue(ctx context.Context, tx *database.DB, a Activity, inboxes []string) error {
	if a.ID == "" || a.KeyID == "" || len(a.Body) == 0 {
		return errors.New("outbox: enqueue: activity without id, key id or body")
	}
	now := o.now().UTC()
	sum := sha256.Sum256(a.Body)
	digest := hex.EncodeToString(sum[:])
	seen := make(map[string]bool, len(inboxes))
	ds := make([]database.Delivery, 0, len(inboxes))
	for _, raw := range inboxes {
		inbox, host, err := normalizeInbox(raw)
		if err != nil {
			o.log.WarnContext(ctx, "outbox: inbox left out", "activity", a.ID, "inbox", raw, "err", err)
			continue
		}
		if seen[inbox] {
			continue
		}
		seen[inbox] = true
		ds = append(ds, database.Delivery{
			ActivityID: a.ID, Inbox: inbox, Host: host, KeyID: a.KeyID, Body: string(a.Body), BodySHA256: digest,
			NextAt: now, CreatedAt: now,
		})
	}
	if err := tx.AddDeliveries(ctx, ds); err != nil {
		return fmt.Errorf("outbox: enqueue %s: %w", a.ID, err)
	}
	return nil
}

// Kick wakes Run to look for due deliveries, after a commit that queued
// some. It never blocks.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Stats describes the queue.
type Stats struct {
	Queued      int // deliveries waiting, in flight included
	Due         int // deliveries that may be sent now
	PausedHosts int // hosts paused after consecutive failures
}

// Stats counts the queue now.
func (o *Outbox) Stats(ctx context.Context) (Stats, error) {
	s, err := o.db.DeliveryStats(ctx, o.now())
	if err != nil {
		return Stats{}, fmt.Errorf("outbox: stats: %w", err)
	}
	return Stats{Queued: s.Queued, Due: s.Due, PausedHosts: s.PausedHosts}, nil
}

// normalizeInbox checks an inbox URL, which comes from a remote actor's
// document, and returns it with its scheme and host lowercased (so that
// spellings of one inbox are one delivery), and its host[:port].
func normalizeInbox(raw string) (inbox, host string, err error) {
	if len(raw) > 2048 {
		return "", "", errors.New("URL longer than 2048 bytes")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", "", fmt.Errorf("scheme %q is not http(s)", u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return "", "", errors.New("no host")
	case u.User != nil:
		return "", "", errors.New("credentials in the URL")
	}
	u.Host = strings.ToLower(u.Host)
	if p := u.Port(); (p == "443" && u.Scheme == "https") || (p == "80" && u.Scheme == "http") {
		u.Host = strings.TrimSuffix(u.Host, ":"+p)
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String(), u.Host, nil
}
