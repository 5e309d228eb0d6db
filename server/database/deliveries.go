package database

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"
)

// Delivery is an activity queued for one remote inbox.
type Delivery struct {
	bun.BaseModel `bun:"table:deliveries"`
	ID            int64  `bun:"id,pk,autoincrement"`
	ActivityID    string `bun:"activity_id,notnull"`
	Inbox         string `bun:"inbox,notnull"`
	Host          string `bun:"host,notnull"`
	KeyID         string `bun:"key_id,notnull"`
	Body          string `bun:"body,notnull"`
	// BodySHA256 is the body's hash, in hexadecimal: the same bytes
	// queued again for an inbox are not queued twice.
	BodySHA256 string    `bun:"body_sha256,notnull"`
	Attempts   int       `bun:"attempts,notnull"`
	NextAt     time.Time `bun:"next_at,notnull"`
	LastError  string    `bun:"last_error,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
}

// deliveryInsertBatch keeps one INSERT under SQLite's limit on bound
// parameters (10 columns a row).
const deliveryInsertBatch = 500

// AddDeliveries queues ds, skipping any whose body is queued for the
// same inbox already.
func (db *DB) AddDeliveries(ctx context.Context, ds []Delivery) error {
	for len(ds) > 0 {
		n := min(len(ds), deliveryInsertBatch)
		batch := ds[:n]
		_, err := db.bun.NewInsert().Model(&batch).ExcludeColumn("id").
			On("CONFLICT (inbox, body_sha256) DO NOTHING").Exec(ctx)
		if err != nil {
			return mapErr(err, "insert deliveries")
		}
		ds = ds[n:]
	}
	return nil
}

// ClaimDeliveries leases up to limit deliveries due at now, at most
// perHost of each host, skipping paused hosts and those in skipHosts:
// their next_at becomes until, which identifies the lease. A row another
// sender claimed meanwhile is not returned, so concurrent claimers (other
// replicas) never share a row while its lease lasts. Rows come spread
// over hosts: every host's first row before any host's second. A row
// waits while an older one for its inbox is queued (due, leased or
// retried later), so each inbox gets its activities in order.
func (db *DB) ClaimDeliveries(ctx context.Context, now, until time.Time, limit, perHost int, skipHosts []string) ([]Delivery, error) {
	now, until = now.UTC(), until.UTC()
	args := []any{until, now, now, now}
	skip := ""
	if len(skipHosts) > 0 {
		skip = "AND d.host NOT IN (?)"
		args = append(args, bun.In(skipHosts))
	}
	args = append(args, perHost, limit)
	var ds []Delivery
	err := db.bun.NewRaw(`
UPDATE deliveries SET next_at = ?
WHERE next_at <= ? AND id IN (
	SELECT r.id FROM (
		SELECT d.id, ROW_NUMBER() OVER (PARTITION BY d.host ORDER BY d.next_at, d.id) AS n
		FROM deliveries AS d
		WHERE d.next_at <= ? AND NOT EXISTS (
			SELECT 1 FROM delivery_hosts AS h WHERE h.host = d.host AND h.paused_until > ?)
		AND NOT EXISTS (SELECT 1 FROM deliveries AS o WHERE o.inbox = d.inbox AND o.id < d.id)
		`+skip+`
	) AS r WHERE r.n <= ? ORDER BY r.n, r.id LIMIT ?)
RETURNING id, activity_id, inbox, host, key_id, body, attempts, next_at, last_error, created_at`,
		args...).Scan(ctx, &ds)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return ds, mapErr(err, "claim deliveries")
}

// DeleteDelivery removes a delivery that was sent, or given up.
func (db *DB) DeleteDelivery(ctx context.Context, id int64) error {
	_, err := db.bun.NewDelete().Model((*Delivery)(nil)).Where("id = ?", id).Exec(ctx)
	return mapErr(err, "delete delivery")
}

// RetryDelivery records a failed attempt of the delivery leased until
// until and makes it due at next. ErrNotFound says the lease was lost
// (it expired and another sender holds the row) or the row is gone.
func (db *DB) RetryDelivery(ctx context.Context, id int64, until, next time.Time, attempts int, lastError string) error {
	res, err := db.bun.NewUpdate().Model((*Delivery)(nil)).
		Set("next_at = ?", next.UTC()).Set("attempts = ?", attempts).Set("last_error = ?", lastError).
		Where("id = ? AND next_at = ?", id, until.UTC()).Exec(ctx)
	if err != nil {
		return mapErr(err, "retry delivery")
	}
	return expectRow(res, "retry delivery")
}

// ReleaseDeliveries gives back leases taken until until without counting
// an attempt: the rows become due at at.
func (db *DB) ReleaseDeliveries(ctx context.Context, ids []int64, until, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := db.bun.NewUpdate().Model((*Delivery)(nil)).Set("next_at = ?", at.UTC()).
		Where("id IN (?) AND next_at = ?", bun.In(ids), until.UTC()).Exec(ctx)
	return mapErr(err, "release deliveries")
}

// NextDeliveryAt is when the earliest queued delivery comes due, its
// host's pause included, leaving out the hosts in skipHosts; false when
// none is queued.
func (db *DB) NextDeliveryAt(ctx context.Context, skipHosts []string) (time.Time, bool, error) {
	skip, args := "", []any{}
	if len(skipHosts) > 0 {
		skip = "AND d.host NOT IN (?)"
		args = []any{bun.In(skipHosts), bun.In(skipHosts)}
	}
	var at []time.Time
	// Ordering rows, rather than MIN() of an expression, keeps the
	// column's type, which SQLite would lose and leave as text.
	err := db.bun.NewRaw(`
SELECT at FROM (
	SELECT MIN(d.next_at) AS at FROM deliveries AS d
	WHERE NOT EXISTS (SELECT 1 FROM delivery_hosts AS h WHERE h.host = d.host AND h.paused_until > d.next_at)
	`+skip+`
	UNION ALL
	SELECT MIN(h.paused_until) AS at FROM delivery_hosts AS h
	WHERE EXISTS (SELECT 1 FROM deliveries AS d WHERE d.host = h.host AND d.next_at < h.paused_until `+skip+`)
) AS t WHERE at IS NOT NULL`, args...).Scan(ctx, &at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, mapErr(err, "next delivery")
	}
	if len(at) == 0 {
		return time.Time{}, false, nil
	}
	next := at[0]
	for _, t := range at[1:] {
		if t.Before(next) {
			next = t
		}
	}
	return next, true, nil
}

// DeliveryHostOK records that host answered: its failures are forgotten
// and a pause ends.
func (db *DB) DeliveryHostOK(ctx context.Context, host string, now time.Time) error {
	_, err := db.bun.NewRaw(`
INSERT INTO delivery_hosts (host, failures, last_error, last_success_at) VALUES (?, 0, '', ?)
ON CONFLICT (host) DO UPDATE SET failures = 0, paused_until = NULL, last_success_at = excluded.last_success_at`,
		host, now.UTC()).Exec(ctx)
	return mapErr(err, "record delivery host success")
}

// DeliveryHostFailed counts one more consecutive failure of host and
// returns the count.
func (db *DB) DeliveryHostFailed(ctx context.Context, host, lastError string) (int, error) {
	var failures int
	err := db.bun.NewRaw(`
INSERT INTO delivery_hosts (host, failures, last_error) VALUES (?, 1, ?)
ON CONFLICT (host) DO UPDATE SET failures = delivery_hosts.failures + 1, last_error = excluded.last_error
RETURNING failures`, host, lastError).Scan(ctx, &failures)
	return failures, mapErr(err, "record delivery host failure")
}

// PauseDeliveryHost stops claims of host's deliveries until until, or
// leaves a longer pause (another sender's) as it is.
func (db *DB) PauseDeliveryHost(ctx context.Context, host string, until time.Time) error {
	_, err := db.bun.NewUpdate().Model((*struct {
		bun.BaseModel `bun:"table:delivery_hosts"`
	})(nil)).Set("paused_until = ?", until.UTC()).
		Where("host = ? AND (paused_until IS NULL OR paused_until < ?)", host, until.UTC()).Exec(ctx)
	return mapErr(err, "pause delivery host")
}

// DeliveryStats counts the queue at now.
type DeliveryStats struct {
	Queued      int // deliveries waiting, leased ones included
	Due         int // deliveries that may be sent now
	PausedHosts int // hosts whose deliveries wait for a pause to end
}

// DeliveryStats counts the queue at now.
func (db *DB) DeliveryStats(ctx context.Context, now time.Time) (DeliveryStats, error) {
	now = now.UTC()
	var s DeliveryStats
	err := db.bun.NewRaw(`
SELECT
	(SELECT COUNT(*) FROM deliveries) AS queued,
	(SELECT COUNT(*) FROM deliveries AS d WHERE d.next_at <= ? AND NOT EXISTS (
		SELECT 1 FROM delivery_hosts AS h WHERE h.host = d.host AND h.paused_until > ?)) AS due,
	(SELECT COUNT(*) FROM delivery_hosts WHERE paused_until > ?) AS paused_hosts`,
		now, now, now).Scan(ctx, &s.Queued, &s.Due, &s.PausedHosts)
	return s, mapErr(err, "delivery stats")
}
