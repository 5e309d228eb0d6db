package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Storyboard is the sprite sheet of a video, in its media directory.
type Storyboard struct {
	bun.BaseModel  `bun:"table:video_storyboards,alias:sb"`
	VideoID        int64     `bun:"video_id,pk"`
	File           string    `bun:"file,notnull"`
	SpriteWidth    int       `bun:"sprite_width,notnull"`
	SpriteHeight   int       `bun:"sprite_height,notnull"`
	SpriteDuration int       `bun:"sprite_duration,notnull"`
	Sprites        int       `bun:"sprites,notnull"`
	Columns        int       `bun:"grid_columns,notnull"`
	Rows           int       `bun:"grid_rows,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
}

// StoryboardOf returns a video's storyboard; ErrNotFound when it has none.
func (db *DB) StoryboardOf(ctx context.Context, videoID int64) (*Storyboard, error) {
	sb := new(Storyboard)
	err := db.bun.NewSelect().Model(sb).Where("video_id = ?", videoID).Scan(ctx)
	return sb, mapErr(err, "storyboard")
}

// PutStoryboard records a video's storyboard, replacing an older one.
func (db *DB) PutStoryboard(ctx context.Context, sb *Storyboard) error {
	return db.Tx(ctx, func(tx *DB) error {
		sb.CreatedAt = time.Now().UTC()
		if _, err := tx.bun.NewDelete().Model((*Storyboard)(nil)).Where("video_id = ?", sb.VideoID).Exec(ctx); err != nil {
			return mapErr(err, "delete storyboard")
		}
		_, err := tx.bun.NewInsert().Model(sb).Exec(ctx)
		return mapErr(err, "insert storyboard")
	})
}
