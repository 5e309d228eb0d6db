package database

import (
	"context"
	"time"
)

// LockVideoFiles takes the lease on a video's files until until, unless
// someone else holds an unexpired one; false says they do. The lease
// serialises what moves or writes a video's files across server replicas.
// until identifies the holder: pass the same value to UnlockVideoFiles.
func (db *DB) LockVideoFiles(ctx context.Context, videoID int64, now, until time.Time) (bool, error) {
	res, err := db.bun.NewUpdate().Model((*Video)(nil)).
		Set("media_locked_until = ?", until.UTC()).
		Where("id = ?", videoID).
		Where("media_locked_until IS NULL OR media_locked_until < ?", now.UTC()).
		Exec(ctx)
	if err != nil {
		return false, mapErr(err, "lock video files")
	}
	n, err := res.RowsAffected()
	return n == 1, mapErr(err, "lock video files")
}

// UnlockVideoFiles gives the lease back, if it is still the one taken
// with until.
func (db *DB) UnlockVideoFiles(ctx context.Context, videoID int64, until time.Time) error {
	_, err := db.bun.NewUpdate().Model((*Video)(nil)).
		Set("media_locked_until = NULL").
		Where("id = ? AND media_locked_until = ?", videoID, until.UTC()).
		Exec(ctx)
	return mapErr(err, "unlock video files")
}

// VideosMovingFiles lists the ids of videos whose files were left
// half-moved (by a crash, or a storage failure).
func (db *DB) VideosMovingFiles(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := db.bun.NewSelect().Model((*Video)(nil)).Column("video.id").
		Where("video.media_moving_from <> ''").OrderExpr("video.id ASC").Scan(ctx, &ids)
	return ids, mapErr(err, "videos moving files")
}

// FinishVideoFilesMove records that a video's files reached the prefix
// they were moving to.
func (db *DB) FinishVideoFilesMove(ctx context.Context, videoID int64) error {
	_, err := db.bun.NewUpdate().Model((*Video)(nil)).Set("media_moving_from = ''").Where("id = ?", videoID).Exec(ctx)
	return mapErr(err, "finish video files move")
}

// VideosWithLegacyHLS lists the videos whose transcoding result is in
// the layout before fragmented MP4 renditions, which named no master
// playlist.
func (db *DB) VideosWithLegacyHLS(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := db.bun.NewSelect().Model((*Video)(nil)).Column("video.id").
		Where("video.hls <> ''").Where("video.hls NOT LIKE ?", `%"master":%`).OrderExpr("video.id ASC").Scan(ctx, &ids)
	return ids, mapErr(err, "videos in the legacy HLS layout")
}
