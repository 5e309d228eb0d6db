package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// CreateVideo inserts a video and its tags.
func (db *DB) CreateVideo(ctx context.Context, v *Video) error {
	return db.Tx(ctx, func(tx *DB) error {
		now := time.Now().UTC()
		v.CreatedAt, v.UpdatedAt = now, now
		if v.PublishedAt.IsZero() {
			v.PublishedAt = now
		}
		if _, err := tx.bun.NewInsert().Model(v).Exec(ctx); err != nil {
			return mapErr(err, "insert video")
		}
		return tx.replaceTags(ctx, v)
	})
}

func (db *DB) replaceTags(ctx context.Context, v *Video) error {
	if _, err := db.bun.NewDelete().Model((*Tag)(nil)).Where("video_id = ?", v.ID).Exec(ctx); err != nil {
		return mapErr(err, "delete tags")
	}
	for i := range v.Tags {
		v.Tags[i].ID, v.Tags[i].VideoID = 0, v.ID
	}
	if len(v.Tags) == 0 {
		return nil
	}
	_, err := db.bun.NewInsert().Model(&v.Tags).Exec(ctx)
	return mapErr(err, "insert tags")
}

func (db *DB) videoQuery(model any) *selectQuery {
	return db.bun.NewSelect().Model(model).
		Relation("Channel").Relation("Channel.Account").
		Relation("Tags", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("id ASC") })
}

// VideoByID loads a video with its channel, account and tags.
func (db *DB) VideoByID(ctx context.Context, id int64) (*Video, error) {
	return db.videoBy(ctx, "video.id = ?", id)
}

// VideoByUUID loads a video by its uuid or short uuid.
func (db *DB) VideoByUUID(ctx context.Context, uuid string) (*Video, error) {
	return db.videoBy(ctx, "video.uuid = ? OR video.short_uuid = ?", uuid, uuid)
}

func (db *DB) videoBy(ctx context.Context, where string, args ...any) (*Video, error) {
	v := new(Video)
	err := db.videoQuery(v).Where(where, args...).Scan(ctx)
	return v, mapErr(err, "video")
}

// UpdateVideo writes the given columns, and the tags when withTags is set.
func (db *DB) UpdateVideo(ctx context.Context, v *Video, withTags bool, columns ...string) error {
	return db.Tx(ctx, func(tx *DB) error {
		v.UpdatedAt = time.Now().UTC()
		res, err := tx.bun.NewUpdate().Model(v).Column(append(columns, "updated_at")...).WherePK().Exec(ctx)
		if err != nil {
			return mapErr(err, "update video")
		}
		if err := expectRow(res, "update video"); err != nil {
			return err
		}
		if withTags {
			return tx.replaceTags(ctx, v)
		}
		return nil
	})
}

// DeleteVideo removes a video row and its tags.
func (db *DB) DeleteVideo(ctx context.Context, id int64) error {
	res, err := db.bun.NewDelete().Model((*Video)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return mapErr(err, "delete video")
	}
	return expectRow(res, "delete video")
}

// VideoUUIDs lists the uuids of an account's or a channel's videos, so
// their files can be removed when the account or a channel goes.
func (db *DB) VideoUUIDs(ctx context.Context, accountID, channelID int64) ([]string, error) {
	var uuids []string
	q := db.bun.NewSelect().TableExpr("videos AS v").Column("v.uuid").
		Join("JOIN video_channels AS ch ON ch.id = v.channel_id")
	if accountID != 0 {
		q = q.Where("ch.account_id = ?", accountID)
	}
	if channelID != 0 {
		q = q.Where("v.channel_id = ?", channelID)
	}
	err := q.Scan(ctx, &uuids)
	return uuids, mapErr(err, "video uuids")
}

// LockVideoRow holds a video's row until the transaction ends, so that
// transactions deciding from what the video has run one after another:
// PostgreSQL locks the row, SQLite takes its write lock.
func (db *DB) LockVideoRow(ctx context.Context, id int64) error {
	res, err := db.bun.NewUpdate().Model((*Video)(nil)).Set("id = id").Where("id = ?", id).Exec(ctx)
	if err != nil {
		return mapErr(err, "lock video row")
	}
	return expectRow(res, "lock video row")
}
