package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Ratings an account can give a video.
const (
	RatingLike    = "like"
	RatingDislike = "dislike"
)

// Rate is one account's rating of one video.
type Rate struct {
	bun.BaseModel `bun:"table:video_rates,alias:rate"`
	ID            int64     `bun:"id,pk,autoincrement"`
	VideoID       int64     `bun:"video_id,notnull"`
	AccountID     int64     `bun:"account_id,notnull"`
	Rating        string    `bun:"rating,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

// Rating returns an account's rating of a video, "" when it has none.
func (db *DB) Rating(ctx context.Context, videoID, accountID int64) (string, error) {
	var r Rate
	err := db.bun.NewSelect().Model(&r).Where("video_id = ? AND account_id = ?", videoID, accountID).Scan(ctx)
	if err = mapErr(err, "rating"); isNotFound(err) {
		return "", nil
	}
	return r.Rating, err
}

// SetRating replaces an account's rating of a video (rating "" removes
// it) and moves the video's counters by the difference. Counters only
// move for rows this transaction really deleted or inserted, so two
// requests racing cannot count one rating twice: the loser fails on the
// unique index and rolls back. It returns the rating replaced.
func (db *DB) SetRating(ctx context.Context, videoID, accountID int64, rating string) (old string, err error) {
	err = db.Tx(ctx, func(tx *DB) error {
		var err error
		old, err = tx.Rating(ctx, videoID, accountID)
		if err != nil {
			return err
		}
		if old == rating {
			return nil
		}
		likes, dislikes := 0, 0
		if old != "" {
			res, err := tx.bun.NewDelete().Model((*Rate)(nil)).
				Where("video_id = ? AND account_id = ? AND rating = ?", videoID, accountID, old).Exec(ctx)
			if err != nil {
				return mapErr(err, "delete rating")
			}
			if n, _ := res.RowsAffected(); n > 0 {
				likes, dislikes = counterDelta(old, -1)
			}
		}
		if rating != "" {
			r := &Rate{VideoID: videoID, AccountID: accountID, Rating: rating, CreatedAt: time.Now().UTC()}
			if _, err := tx.bun.NewInsert().Model(r).Exec(ctx); err != nil {
				return mapErr(err, "insert rating")
			}
			l, d := counterDelta(rating, 1)
			likes, dislikes = likes+l, dislikes+d
		}
		if likes == 0 && dislikes == 0 {
			return nil
		}
		_, err = tx.bun.NewUpdate().TableExpr("videos").
			Set("likes = likes + ?", likes).Set("dislikes = dislikes + ?", dislikes).
			Where("id = ?", videoID).Exec(ctx)
		return mapErr(err, "count rating")
	})
	return old, err
}

func counterDelta(rating string, by int) (likes, dislikes int) {
	if rating == RatingLike {
		return by, 0
	}
	return 0, by
}

// AddViews adds views counted on the day of at to videos, by video id,
// in one transaction: to their totals and to their count of that day.
// Videos deleted meanwhile are skipped.
func (db *DB) AddViews(ctx context.Context, at time.Time, views map[int64]int64) error {
	day := dayNumber(at)
	return db.Tx(ctx, func(tx *DB) error {
		for id, n := range views {
			if _, err := tx.bun.NewUpdate().TableExpr("videos").Set("views = views + ?", n).Where("id = ?", id).Exec(ctx); err != nil {
				return mapErr(err, "add views")
			}
			// The SELECT finds no row for a deleted video; its WHERE also
			// tells SQLite that ON CONFLICT is the upsert's.
			if _, err := tx.bun.NewRaw(`INSERT INTO video_daily_views (video_id, day, views) SELECT id, ?, ? FROM videos WHERE id = ?
				ON CONFLICT (video_id, day) DO UPDATE SET views = video_daily_views.views + excluded.views`, day, n, id).Exec(ctx); err != nil {
				return mapErr(err, "add daily views")
			}
		}
		return nil
	})
}
