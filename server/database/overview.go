package database

import (
	"context"
	"fmt"
)

// VideoGroup is what an overview groups videos by.
type VideoGroup int

// The groups of an overview; each scans into a slice of its key: int
// categories, int64 channel ids, string tags.
const (
	ByCategory VideoGroup = iota
	ByChannel
	ByTag
)

// SharedByVideos scans into dest, in a random order, up to count of the
// keys of group (categories, channels or tags) that at least threshold
// public, published videos share.
func (db *DB) SharedByVideos(ctx context.Context, group VideoGroup, threshold, count int, dest any) error {
	q := db.bun.NewSelect().Model((*Video)(nil))
	switch group {
	case ByCategory:
		q = q.Column("video.category").Where("video.category <> 0").GroupExpr("video.category")
	case ByChannel:
		q = q.Column("video.channel_id").GroupExpr("video.channel_id")
	case ByTag:
		q = q.ColumnExpr("t.name").Join("JOIN video_tags AS t ON t.video_id = video.id").GroupExpr("t.name")
	default:
		return fmt.Errorf("no video group %d", group)
	}
	err := q.Where("video.privacy = ? AND video.state = ?", PrivacyPublic, StatePublished).
		Having("COUNT(*) >= ?", threshold).OrderExpr("random()").Limit(int64(count)).Scan(ctx, dest)
	return mapErr(err, "videos sharing a key")
}
