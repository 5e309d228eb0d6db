package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Block is an entry of the instance's blocklist: a whole server, or one
// account of another server when AccountID is set.
type Block struct {
	bun.BaseModel `bun:"table:blocks,alias:blk"`
	ID            int64     `bun:"id,pk,autoincrement"`
	Host          string    `bun:"host,notnull"`
	AccountID     int64     `bun:"account_id,nullzero"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	Account       *Account  `bun:"rel:belongs-to,join:account_id=id"`
}

// AddBlock records a block; ErrConflict when it is there already.
func (db *DB) AddBlock(ctx context.Context, b *Block) error {
	b.CreatedAt = time.Now().UTC()
	_, err := db.bun.NewInsert().Model(b).Returning("id").Exec(ctx)
	return mapErr(err, "add block")
}

// DeleteBlock lifts the block of an account (accountID set) or of the
// server host; ErrNotFound when there is none.
func (db *DB) DeleteBlock(ctx context.Context, host string, accountID int64) error {
	q := db.bun.NewDelete().Model((*Block)(nil))
	if accountID != 0 {
		q = q.Where("account_id = ?", accountID)
	} else {
		q = q.Where("host = ? AND account_id IS NULL", host)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return mapErr(err, "delete block")
	}
	return expectRow(res, "delete block")
}

// ListBlocks lists a page of the blocked accounts, or of the blocked
// servers, the newest first.
func (db *DB) ListBlocks(ctx context.Context, accounts bool, start, count int) ([]Block, int, error) {
	var bs []Block
	q := db.bun.NewSelect().Model(&bs).Relation("Account").OrderExpr("blk.id DESC").Offset(int64(start)).Limit(int64(count))
	if accounts {
		q = q.Where("blk.account_id IS NOT NULL")
	} else {
		q = q.Where("blk.account_id IS NULL")
	}
	total, err := q.ScanAndCount(ctx)
	return bs, int(total), mapErr(err, "list blocks")
}

// Blocked says the server host, or one of the accounts, is blocked.
func (db *DB) Blocked(ctx context.Context, host string, accountIDs ...int64) (bool, error) {
	q := db.bun.NewSelect().Model((*Block)(nil)).Where("host = ? AND account_id IS NULL", host)
	if len(accountIDs) > 0 {
		q = q.WhereOr("account_id IN (?)", bun.In(accountIDs))
	}
	n, err := q.Count(ctx)
	return n > 0, mapErr(err, "blocked")
}

// BlockedInboxes lists where nothing may be delivered: the blocked
// servers, and the own inboxes of blocked accounts and of their
// channels (their server's shared inbox still serves the others).
func (db *DB) BlockedInboxes(ctx context.Context) (hosts, inboxes []string, err error) {
	err = db.bun.NewSelect().Model((*Block)(nil)).Column("host").Where("account_id IS NULL").Scan(ctx, &hosts)
	if err != nil {
		return nil, nil, mapErr(err, "blocked servers")
	}
	err = db.bun.NewSelect().TableExpr("actors AS act").ColumnExpr("act.inbox").
		Join("LEFT JOIN video_channels AS ch ON ch.id = act.channel_id").
		Join("JOIN blocks AS blk ON blk.account_id = act.account_id OR blk.account_id = ch.account_id").
		Scan(ctx, &inboxes)
	return hosts, inboxes, mapErr(err, "blocked inboxes")
}

// RemoteAccount loads the account called name on the server host.
func (db *DB) RemoteAccount(ctx context.Context, host, name string) (*Account, error) {
	a := new(Account)
	err := db.bun.NewSelect().Model(a).Where("host = ? AND host <> '' AND lower(name) = lower(?)", host, name).Scan(ctx)
	return a, mapErr(err, "remote account")
}

// DeleteRemoteVideos deletes the stored videos of other servers that
// belong to the account (accountID set) or come from the server host,
// and says how many there were.
func (db *DB) DeleteRemoteVideos(ctx context.Context, host string, accountID int64) (int, error) {
	sub := db.bun.NewSelect().TableExpr("video_channels AS ch").Column("ch.id")
	if accountID != 0 {
		sub = sub.Where("ch.account_id = ?", accountID)
	} else {
		sub = sub.Where("ch.host = ?", host)
	}
	res, err := db.bun.NewDelete().Model((*Video)(nil)).Where("remote AND channel_id IN (?)", sub).Exec(ctx)
	if err != nil {
		return 0, mapErr(err, "delete remote videos")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DropBlockedDeliveries forgets the deliveries still queued for the
// places BlockedInboxes names, once a block is made.
func (db *DB) DropBlockedDeliveries(ctx context.Context) error {
	hosts, inboxes, err := db.BlockedInboxes(ctx)
	if err != nil || len(hosts)+len(inboxes) == 0 {
		return err
	}
	q := db.bun.NewDelete().Model((*Delivery)(nil))
	if len(hosts) > 0 {
		q = q.WhereOr("host IN (?)", bun.In(hosts))
	}
	if len(inboxes) > 0 {
		q = q.WhereOr("inbox IN (?)", bun.In(inboxes))
	}
	_, err = q.Exec(ctx)
	return mapErr(err, "drop blocked deliveries")
}
