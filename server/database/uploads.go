package database

import (
	"context"
	"time"
)

// CreateUpload records a new resumable upload.
func (db *DB) CreateUpload(ctx context.Context, u *Upload) error {
	u.CreatedAt = time.Now().UTC()
	_, err := db.bun.NewInsert().Model(u).Exec(ctx)
	return mapErr(err, "insert upload")
}

// UploadByID loads a resumable upload.
func (db *DB) UploadByID(ctx context.Context, id string) (*Upload, error) {
	u := new(Upload)
	err := db.bun.NewSelect().Model(u).Where("id = ?", id).Scan(ctx)
	return u, mapErr(err, "upload")
}

// TouchUpload pushes an upload's expiry forward after activity.
func (db *DB) TouchUpload(ctx context.Context, id string, expiresAt time.Time) error {
	_, err := db.bun.NewUpdate().Model((*Upload)(nil)).Set("expires_at = ?", expiresAt.UTC()).Where("id = ?", id).Exec(ctx)
	return mapErr(err, "touch upload")
}

// DeleteUpload forgets a resumable upload.
func (db *DB) DeleteUpload(ctx context.Context, id string) error {
	_, err := db.bun.NewDelete().Model((*Upload)(nil)).Where("id = ?", id).Exec(ctx)
	return mapErr(err, "delete upload")
}

// ExpiredUploads lists uploads whose expiry is before now.
func (db *DB) ExpiredUploads(ctx context.Context, now time.Time) ([]Upload, error) {
	var us []Upload
	err := db.bun.NewSelect().Model(&us).Where("expires_at < ?", now.UTC()).Scan(ctx)
	return us, mapErr(err, "expired uploads")
}

// NextUploadExpiry returns the earliest expiry of any upload, and false
// when there is none.
func (db *DB) NextUploadExpiry(ctx context.Context) (time.Time, bool, error) {
	u := new(Upload)
	err := db.bun.NewSelect().Model(u).OrderExpr("expires_at ASC").Limit(1).Scan(ctx)
	if err != nil {
		err = mapErr(err, "next upload expiry")
		if isNotFound(err) {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, err
	}
	return u.ExpiresAt, true, nil
}

// PendingUploadBytes sums the declared sizes of a user's unfinished
// uploads, which count against the quota until they finish or expire.
func (db *DB) PendingUploadBytes(ctx context.Context, userID int64) (int64, error) {
	var total int64
	err := db.bun.NewSelect().Model((*Upload)(nil)).ColumnExpr("COALESCE(SUM(size), 0)").Where("user_id = ?", userID).Scan(ctx, &total)
	return total, mapErr(err, "pending upload bytes")
}

// AttachUploadVideo records that the upload's video row exists.
func (db *DB) AttachUploadVideo(ctx context.Context, id string, videoID int64) error {
	_, err := db.bun.NewUpdate().Model((*Upload)(nil)).Set("video_id = ?", videoID).Where("id = ?", id).Exec(ctx)
	return mapErr(err, "attach upload video")
}

// DetachUploadVideo forgets the video row of an upload whose finish is
// undone, so that the upload survives the row's deletion.
func (db *DB) DetachUploadVideo(ctx context.Context, videoID int64) error {
	_, err := db.bun.NewUpdate().Model((*Upload)(nil)).Set("video_id = NULL").Where("video_id = ?", videoID).Exec(ctx)
	return mapErr(err, "detach upload video")
}
