package database

import (
	"context"
	"fmt"
	"time"
)

// InstanceCounts are the instance's totals that PeerTube's server
// statistics show, as the database knows them.
type InstanceCounts struct {
	Users, Moderators, Admins int
	// PublicVideos counts the local videos anyone may watch: public and
	// published.
	PublicVideos int
	// Views sums the stored views of every local video.
	Views int64
	// Comments counts the comments not deleted.
	Comments int
	Channels int
	// OriginalsSize sums the sizes of the stored originals.
	OriginalsSize int64
	// ActiveChannels counts, for each time of ActiveSince, the channels
	// that published a video after it.
	ActiveChannels []int
}

// CountInstance counts the instance's totals; a channel is active since
// a time of activeSince when it published a video after it.
func (db *DB) CountInstance(ctx context.Context, activeSince ...time.Time) (InstanceCounts, error) {
	var c InstanceCounts
	var err error
	count := func(what string, n *int, q *selectQuery) {
		if err == nil {
			var total int64
			total, err = q.Count(ctx)
			*n = int(total)
			if err != nil {
				err = fmt.Errorf("count %s: %w", what, err)
			}
		}
	}
	sum := func(what, column string, n *int64) {
		if err == nil {
			err = db.bun.NewSelect().Model((*Video)(nil)).ColumnExpr("COALESCE(SUM("+column+"), 0)").
				Where("remote = ?", false).Scan(ctx, n)
			if err != nil {
				err = fmt.Errorf("sum %s: %w", what, err)
			}
		}
	}
	count("users", &c.Users, db.bun.NewSelect().Model((*User)(nil)))
	count("moderators", &c.Moderators, db.bun.NewSelect().Model((*User)(nil)).Where("role = ?", RoleModerator.ID()))
	count("admins", &c.Admins, db.bun.NewSelect().Model((*User)(nil)).Where("role = ?", RoleAdmin.ID()))
	count("public videos", &c.PublicVideos, db.bun.NewSelect().Model((*Video)(nil)).
		Where("remote = ? AND privacy = ? AND state = ?", false, PrivacyPublic, StatePublished))
	count("comments", &c.Comments, db.bun.NewSelect().Model((*Comment)(nil)).Where("deleted_at IS NULL"))
	count("channels", &c.Channels, db.bun.NewSelect().Model((*Channel)(nil)))
	sum("views", "views", &c.Views)
	sum("originals", "original_size", &c.OriginalsSize)
	c.ActiveChannels = make([]int, len(activeSince))
	for i, since := range activeSince {
		count("active channels", &c.ActiveChannels[i], db.bun.NewSelect().Model((*Channel)(nil)).
			Where("EXISTS (SELECT 1 FROM videos AS av WHERE av.channel_id = ch.id AND av.published_at > ?)", since))
	}
	return c, err
}

// EachTranscodingResult calls fn with the last transcoding result (the
// JSON of Video.HLS) of every local video that has one, reading them
// one row at a time.
func (db *DB) EachTranscodingResult(ctx context.Context, fn func(hls string)) error {
	rows, err := db.bun.NewSelect().Model((*Video)(nil)).Column("hls").Where("remote = ? AND hls <> ''", false).Rows(ctx)
	if err != nil {
		return fmt.Errorf("transcoding results: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hls string
		if err := rows.Scan(&hls); err != nil {
			return fmt.Errorf("transcoding results: %w", err)
		}
		fn(hls)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("transcoding results: %w", err)
	}
	return nil
}
