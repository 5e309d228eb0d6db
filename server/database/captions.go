package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Caption is a subtitle file of a video in one language; the file lives
// in the video's media directory, named after the language.
type Caption struct {
	bun.BaseModel `bun:"table:video_captions,alias:caption"`
	ID            int64     `bun:"id,pk,autoincrement"`
	VideoID       int64     `bun:"video_id,notnull"`
	Language      string    `bun:"language,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
}

// Captions lists a video's captions by language.
func (db *DB) Captions(ctx context.Context, videoID int64) ([]Caption, error) {
	var cs []Caption
	err := db.bun.NewSelect().Model(&cs).Where("video_id = ?", videoID).OrderExpr("language ASC").Scan(ctx)
	return cs, mapErr(err, "captions")
}

// PutCaption adds a caption, or marks the existing one of its language
// as updated, and tells which it did.
func (db *DB) PutCaption(ctx context.Context, c *Caption) (created bool, err error) {
	err = db.Tx(ctx, func(tx *DB) error {
		now := time.Now().UTC()
		res, err := tx.bun.NewUpdate().Model((*Caption)(nil)).Set("updated_at = ?", now).
			Where("video_id = ? AND language = ?", c.VideoID, c.Language).Exec(ctx)
		if err != nil {
			return mapErr(err, "update caption")
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		c.CreatedAt, c.UpdatedAt, created = now, now, true
		_, err = tx.bun.NewInsert().Model(c).Exec(ctx)
		return mapErr(err, "insert caption")
	})
	return created, err
}

// DeleteCaption removes a video's caption in a language; ErrNotFound
// says there was none.
func (db *DB) DeleteCaption(ctx context.Context, videoID int64, language string) error {
	res, err := db.bun.NewDelete().Model((*Caption)(nil)).Where("video_id = ? AND language = ?", videoID, language).Exec(ctx)
	if err != nil {
		return mapErr(err, "delete caption")
	}
	return expectRow(res, "delete caption")
}
