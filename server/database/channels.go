package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// CreateChannel inserts a channel for an existing account.
func (db *DB) CreateChannel(ctx context.Context, c *Channel) error {
	now := time.Now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	_, err := db.bun.NewInsert().Model(c).Exec(ctx)
	return mapErr(err, "insert channel")
}

func (db *DB) channelQuery(c any) *selectQuery {
	return db.bun.NewSelect().Model(c).Relation("Account")
}

// ChannelByID loads a channel with its account.
func (db *DB) ChannelByID(ctx context.Context, id int64) (*Channel, error) {
	c := new(Channel)
	err := db.channelQuery(c).Where("ch.id = ?", id).Scan(ctx)
	return c, mapErr(err, "channel by id")
}

// ChannelByName loads a local channel by its handle, ignoring case.
func (db *DB) ChannelByName(ctx context.Context, name string) (*Channel, error) {
	c := new(Channel)
	err := db.channelQuery(c).Where("ch.host = '' AND lower(ch.name) = lower(?)", name).Scan(ctx)
	return c, mapErr(err, "channel by name")
}

// channelSorts are PeerTube's keys of channel lists and searches.
var channelSorts = newSorting[Channel]("-createdAt", sortKey{"createdAt", "ch.created_at"}, sortKey{"name", "ch.name"},
	sortKey{"displayName", "ch.display_name"}, sortKey{"updatedAt", "ch.updated_at"})

// ChannelSort reads the sort key of a channel list; "" is the newest
// first.
func ChannelSort(key string) (Sort[Channel], error) { return channelSorts.parse(key) }

// ChannelFilter selects a page of channels: all of them, or those that
// pass every condition set.
type ChannelFilter struct {
	AccountID int64
	// Words keeps channels with each of them in the name or the display
	// name, ignoring case.
	Words []string
	// Names keeps local channels with one of these names, ignoring case.
	Names        []string
	Start, Count int
	Sort         Sort[Channel]
}

// ListChannels returns a page of the channels f selects.
func (db *DB) ListChannels(ctx context.Context, f ChannelFilter) ([]Channel, int, error) {
	var chs []Channel
	q := db.channelQuery(&chs).OrderExpr(channelSorts.orderBy(f.Sort)).Offset(int64(f.Start)).Limit(int64(f.Count))
	if f.AccountID != 0 {
		q = q.Where("ch.account_id = ?", f.AccountID)
	}
	// Lowered on both sides, as LIKE ignores case in SQLite but not in
	// PostgreSQL.
	for _, w := range f.Words {
		pattern := containsPattern(w)
		q = q.Where(`(lower(ch.name) LIKE ? ESCAPE '\' OR lower(ch.display_name) LIKE ? ESCAPE '\')`, pattern, pattern)
	}
	if len(f.Names) > 0 {
		q = q.Where("ch.host = '' AND lower(ch.name) IN (?)", bun.In(lowered(f.Names)))
	}
	total, err := q.ScanAndCount(ctx)
	return chs, int(total), mapErr(err, "list channels")
}

// UpdateChannel writes the given columns.
func (db *DB) UpdateChannel(ctx context.Context, c *Channel, columns ...string) error {
	c.UpdatedAt = time.Now().UTC()
	res, err := db.bun.NewUpdate().Model(c).Column(append(columns, "updated_at")...).WherePK().Exec(ctx)
	if err != nil {
		return mapErr(err, "update channel")
	}
	return expectRow(res, "update channel")
}

// DeleteChannel removes a channel and, by cascade, its videos' rows.
func (db *DB) DeleteChannel(ctx context.Context, id int64) error {
	res, err := db.bun.NewDelete().Model((*Channel)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return mapErr(err, "delete channel")
	}
	return expectRow(res, "delete channel")
}

// AccountChannels returns every channel of an account.
func (db *DB) AccountChannels(ctx context.Context, accountID int64) ([]Channel, error) {
	var chs []Channel
	err := db.bun.NewSelect().Model(&chs).Where("account_id = ?", accountID).Scan(ctx)
	return chs, mapErr(err, "account channels")
}

// CountAccountChannels counts an account's channels.
func (db *DB) CountAccountChannels(ctx context.Context, accountID int64) (int, error) {
	n, err := db.bun.NewSelect().Model((*Channel)(nil)).Where("account_id = ?", accountID).Count(ctx)
	return int(n), mapErr(err, "count channels")
}

// UpdateAccount writes the given columns.
func (db *DB) UpdateAccount(ctx context.Context, a *Account, columns ...string) error {
	a.UpdatedAt = time.Now().UTC()
	_, err := db.bun.NewUpdate().Model(a).Column(append(columns, "updated_at")...).WherePK().Exec(ctx)
	return mapErr(err, "update account")
}

// AccountByName loads a local account by its handle, ignoring case.
func (db *DB) AccountByName(ctx context.Context, name string) (*Account, error) {
	a := new(Account)
	err := db.bun.NewSelect().Model(a).Where("host = '' AND lower(name) = lower(?)", name).Scan(ctx)
	return a, mapErr(err, "account by name")
}

// RemoteChannelByName loads a channel of another instance by its name
// there and its host, ignoring case.
func (db *DB) RemoteChannelByName(ctx context.Context, name, host string) (*Channel, error) {
	c := new(Channel)
	err := db.channelQuery(c).Where("ch.host = ? AND ch.host <> '' AND lower(ch.name) = lower(?)", host, name).Scan(ctx)
	return c, mapErr(err, "remote channel by name")
}

// RemoteAccountByName is RemoteChannelByName for accounts.
func (db *DB) RemoteAccountByName(ctx context.Context, name, host string) (*Account, error) {
	a := new(Account)
	err := db.bun.NewSelect().Model(a).Where("host = ? AND host <> '' AND lower(name) = lower(?)", host, name).Scan(ctx)
	return a, mapErr(err, "remote account by name")
}
