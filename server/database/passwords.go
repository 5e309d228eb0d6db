package database

import (
	"context"
	"time"
)

// VideoPassword is one of the passwords that open a password-protected
// video. They are stored as given: PeerTube's API lists them back to the
// video's owner, who shares them; they are not account credentials.
type VideoPassword struct {
	ID        int64     `bun:"id,pk,autoincrement"`
	VideoID   int64     `bun:"video_id,notnull"`
	Password  string    `bun:"password,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

var passwordSorts = newSorting[VideoPassword]("createdAt",
	sortKey{"createdAt", "created_at"}, sortKey{"password", "password"})

// PasswordSort reads the sort key of a video's passwords; "" is the
// oldest first.
func PasswordSort(key string) (Sort[VideoPassword], error) { return passwordSorts.parse(key) }

// VideoPasswords lists a page of a video's passwords with their total.
func (db *DB) VideoPasswords(ctx context.Context, videoID int64, start, count int, sort Sort[VideoPassword]) ([]VideoPassword, int, error) {
	var ps []VideoPassword
	q := db.bun.NewSelect().Model(&ps).Where("video_id = ?", videoID).OrderExpr(passwordSorts.orderBy(sort)).OrderExpr("id ASC")
	if count > 0 {
		q = q.Offset(int64(start)).Limit(int64(count))
	}
	total, err := q.ScanAndCount(ctx)
	return ps, int(total), mapErr(err, "video passwords")
}

// AllVideoPasswords returns every password of a video.
func (db *DB) AllVideoPasswords(ctx context.Context, videoID int64) ([]VideoPassword, error) {
	var ps []VideoPassword
	err := db.bun.NewSelect().Model(&ps).Where("video_id = ?", videoID).OrderExpr("id ASC").Scan(ctx)
	return ps, mapErr(err, "all video passwords")
}

// CountVideoPasswords counts a video's passwords.
func (db *DB) CountVideoPasswords(ctx context.Context, videoID int64) (int, error) {
	n, err := db.bun.NewSelect().Model((*VideoPassword)(nil)).Where("video_id = ?", videoID).Count(ctx)
	return int(n), mapErr(err, "count video passwords")
}

// AddVideoPassword inserts one password; ErrConflict when the video has
// it already.
func (db *DB) AddVideoPassword(ctx context.Context, p *VideoPassword) error {
	now := time.Now().UTC()
	p.CreatedAt, p.UpdatedAt = now, now
	_, err := db.bun.NewInsert().Model(p).Exec(ctx)
	return mapErr(err, "insert video password")
}

// ReplaceVideoPasswords makes passwords the video's only ones and bumps
// its password epoch. Run it in a transaction.
func (db *DB) ReplaceVideoPasswords(ctx context.Context, videoID int64, passwords []string) error {
	if err := db.bumpPasswordEpoch(ctx, videoID); err != nil {
		return err
	}
	if _, err := db.bun.NewDelete().Model((*VideoPassword)(nil)).Where("video_id = ?", videoID).Exec(ctx); err != nil {
		return mapErr(err, "delete video passwords")
	}
	if len(passwords) == 0 {
		return nil
	}
	now := time.Now().UTC()
	ps := make([]VideoPassword, 0, len(passwords))
	for _, p := range passwords {
		ps = append(ps, VideoPassword{VideoID: videoID, Password: p, CreatedAt: now, UpdatedAt: now})
	}
	_, err := db.bun.NewInsert().Model(&ps).Exec(ctx)
	return mapErr(err, "insert video passwords")
}

// DeleteVideoPassword removes one password of a video and bumps its
// password epoch. Run it in a transaction.
func (db *DB) DeleteVideoPassword(ctx context.Context, videoID, id int64) error {
	res, err := db.bun.NewDelete().Model((*VideoPassword)(nil)).Where("id = ? AND video_id = ?", id, videoID).Exec(ctx)
	if err != nil {
		return mapErr(err, "delete video password")
	}
	if err := expectRow(res, "delete video password"); err != nil {
		return err
	}
	return db.bumpPasswordEpoch(ctx, videoID)
}

// bumpPasswordEpoch revokes the file tokens of a video issued before a
// change of its passwords (see Video.PasswordEpoch).
func (db *DB) bumpPasswordEpoch(ctx context.Context, videoID int64) error {
	_, err := db.bun.NewUpdate().Model((*Video)(nil)).Set("password_epoch = password_epoch + 1").Where("id = ?", videoID).Exec(ctx)
	return mapErr(err, "bump video password epoch")
}
