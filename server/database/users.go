package database

import (
	"context"
	"time"
)

// CreateUser inserts a user with its account and default channel, all or
// nothing. The account and channel names must be free.
func (db *DB) CreateUser(ctx context.Context, u *User, channel *Channel) error {
	return db.Tx(ctx, func(tx *DB) error {
		now := time.Now().UTC()
		u.CreatedAt = now
		if _, err := tx.bun.NewInsert().Model(u).Exec(ctx); err != nil {
			return mapErr(err, "insert user")
		}
		acc := &Account{UserID: u.ID, Name: u.Username, DisplayName: u.Username, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.bun.NewInsert().Model(acc).Exec(ctx); err != nil {
			return mapErr(err, "insert account")
		}
		u.Account = acc
		channel.AccountID = acc.ID
		return tx.CreateChannel(ctx, channel)
	})
}

func (db *DB) userQuery(u *User) *selectQuery {
	return db.bun.NewSelect().Model(u).Relation("Account")
}

// UserByID loads a user with its account.
func (db *DB) UserByID(ctx context.Context, id int64) (*User, error) {
	u := new(User)
	err := db.userQuery(u).Where("u.id = ?", id).Scan(ctx)
	return u, mapErr(err, "user by id")
}

// UserByLogin finds a user by username or e-mail, ignoring case.
func (db *DB) UserByLogin(ctx context.Context, login string) (*User, error) {
	u := new(User)
	err := db.userQuery(u).Where("lower(u.username) = lower(?) OR lower(u.email) = lower(?)", login, login).Limit(1).Scan(ctx)
	return u, mapErr(err, "user by login")
}

var userSorts = newSorting[User]("-createdAt",
	sortKey{"id", "u.id"}, sortKey{"username", "u.username"}, sortKey{"createdAt", "u.created_at"})

// UserSort reads the sort key of the user list; "" is the newest first.
func UserSort(key string) (Sort[User], error) { return userSorts.parse(key) }

// ListUsers returns a page of users.
func (db *DB) ListUsers(ctx context.Context, start, count int, sort Sort[User]) ([]User, int, error) {
	var users []User
	total, err := db.bun.NewSelect().Model(&users).Relation("Account").
		OrderExpr(userSorts.orderBy(sort)).Offset(int64(start)).Limit(int64(count)).ScanAndCount(ctx)
	return users, int(total), mapErr(err, "list users")
}

// CountUsers tells whether the instance has been set up.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	n, err := db.bun.NewSelect().Model((*User)(nil)).Count(ctx)
	return int(n), mapErr(err, "count users")
}

// UpdateUser writes the given columns of u.
func (db *DB) UpdateUser(ctx context.Context, u *User, columns ...string) error {
	res, err := db.bun.NewUpdate().Model(u).Column(columns...).WherePK().Exec(ctx)
	if err != nil {
		return mapErr(err, "update user")
	}
	return expectRow(res, "update user")
}

// DeleteUser removes a user; accounts, channels, videos and tokens go with
// it through ON DELETE CASCADE.
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	res, err := db.bun.NewDelete().Model((*User)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return mapErr(err, "delete user")
	}
	return expectRow(res, "delete user")
}

// VideoQuotaUsed sums the originals the user has stored, and those of the
// last day.
func (db *DB) VideoQuotaUsed(ctx context.Context, userID int64) (total, daily int64, err error) {
	var row struct {
		Total int64 `bun:"total"`
		Daily int64 `bun:"daily"`
	}
	since := time.Now().UTC().Add(-24 * time.Hour)
	err = db.bun.NewSelect().
		TableExpr("videos AS v").
		Join("JOIN video_channels AS ch ON ch.id = v.channel_id").
		Join("JOIN accounts AS a ON a.id = ch.account_id").
		ColumnExpr("COALESCE(SUM(v.original_size), 0) AS total").
		ColumnExpr("COALESCE(SUM(CASE WHEN v.created_at > ? THEN v.original_size ELSE 0 END), 0) AS daily", since).
		Where("a.user_id = ?", userID).
		Scan(ctx, &row)
	return row.Total, row.Daily, mapErr(err, "video quota used")
}
