package database

import (
	"context"

	"github.com/uptrace/bun"
)

// Chapter is one chapter a video's owner set.
type Chapter struct {
	bun.BaseModel `bun:"table:video_chapters,alias:chapter"`
	ID            int64  `bun:"id,pk,autoincrement"`
	VideoID       int64  `bun:"video_id,notnull"`
	Timecode      int    `bun:"timecode,notnull"`
	Title         string `bun:"title,notnull"`
}

// ManualChapters returns the chapters set through the API, in order,
// and whether any were ever set (an empty list set on purpose counts).
func (db *DB) ManualChapters(ctx context.Context, videoID int64) ([]Chapter, bool, error) {
	var manual bool
	err := db.bun.NewSelect().TableExpr("videos").Column("chapters_manual").Where("id = ?", videoID).Scan(ctx, &manual)
	if err != nil {
		return nil, false, mapErr(err, "chapters manual")
	}
	if !manual {
		return nil, false, nil
	}
	var cs []Chapter
	err = db.bun.NewSelect().Model(&cs).Where("video_id = ?", videoID).OrderExpr("timecode ASC").Scan(ctx)
	return cs, true, mapErr(err, "chapters")
}

// ReplaceChapters makes cs the video's manual chapters.
func (db *DB) ReplaceChapters(ctx context.Context, videoID int64, cs []Chapter) error {
	return db.Tx(ctx, func(tx *DB) error {
		res, err := tx.bun.NewUpdate().TableExpr("videos").Set("chapters_manual = ?", true).Where("id = ?", videoID).Exec(ctx)
		if err != nil {
			return mapErr(err, "mark chapters manual")
		}
		if err := expectRow(res, "mark chapters manual"); err != nil {
			return err
		}
		if _, err := tx.bun.NewDelete().Model((*Chapter)(nil)).Where("video_id = ?", videoID).Exec(ctx); err != nil {
			return mapErr(err, "delete chapters")
		}
		if len(cs) == 0 {
			return nil
		}
		for i := range cs {
			cs[i].ID, cs[i].VideoID = 0, videoID
		}
		_, err = tx.bun.NewInsert().Model(&cs).Exec(ctx)
		return mapErr(err, "insert chapters")
	})
}
