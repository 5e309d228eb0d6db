package media

import (
	"context"
	"errors"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/storage"
)

// filesLease bounds how long a crashed holder keeps a video's files
// locked; moving the files of a long video on S3 takes well under it.
const filesLease = 15 * time.Minute

// ErrFilesBusy says someone else is moving or writing the video's files.
var ErrFilesBusy = errors.New("the video's files are being moved")

// WithFilesLocked runs fn while holding the lease on a video's files,
// with the video as stored once the lease is held. A move that an earlier
// holder left half done (a crash, a storage failure) is finished first,
// so fn always finds the files under MediaPrefix(v). ErrFilesBusy says
// another holder has the lease: background work (a finishing job) calls
// it and tries again later; requests call WithFiles.
func WithFilesLocked(ctx context.Context, db *database.DB, st storage.Store, videoID int64, fn func(v *database.Video) error) error {
	now := time.Now()
	until := now.Add(filesLease).Truncate(time.Millisecond)
	ok, err := db.LockVideoFiles(ctx, videoID, now, until)
	if err != nil {
		return err
	}
	if !ok {
		return ErrFilesBusy
	}
	// A failed unlock leaves a lease that expires by itself.
	defer func() { _ = db.UnlockVideoFiles(context.WithoutCancel(ctx), videoID, until) }()
	v, err := db.VideoByID(ctx, videoID)
	if err != nil {
		return err
	}
	if err := FinishMove(ctx, db, st, v); err != nil {
		return err
	}
	return fn(v)
}

// patience bounds how long a request waits for another holder of a
// video's files lock (a finishing transcoding, a caption being written)
// before it answers 409.
const patience = 10 * time.Second

// busyRetry is the Retry-After, in seconds, of the 409 a request gets
// when the files stay busy past patience.
const busyRetry = "5"

// WithFiles is WithFilesLocked for requests. While someone else holds
// the lock it waits, up to patience: the lease lives in the database,
// shared by every replica, so there is nothing to wait on but time. The
// files are moved and written even if the client goes away meanwhile,
// so that none is left half done. Its error is the request's answer: a
// 409 with Retry-After when the files stay busy, a 404 when the video
// is gone, the problem fn returned, or a 500.
func WithFiles(ctx context.Context, db *database.DB, st storage.Store, videoID int64, fn func(v *database.Video) error) error {
	return withFiles(ctx, db, st, videoID, patience, fn)
}

func withFiles(ctx context.Context, db *database.DB, st storage.Store, videoID int64, patience time.Duration,
	fn func(v *database.Video) error) error {
	deadline := time.Now().Add(patience)
	delay := 50 * time.Millisecond
	for {
		err := WithFilesLocked(context.WithoutCancel(ctx), db, st, videoID, fn)
		if !errors.Is(err, ErrFilesBusy) {
			return answer(err)
		}
		if time.Now().Add(delay).After(deadline) {
			return problem.Conflict("the video's files are being moved or written; try again in a moment").
				WithHeader("Retry-After", busyRetry)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return problem.Internal(ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}

// answer turns what a holder of the files lock returned into a request's
// answer.
func answer(err error) error {
	var p *problem.Problem
	switch {
	case err == nil:
		return nil
	case errors.As(err, &p):
		return p
	case errors.Is(err, database.ErrNotFound):
		return problem.NotFound("video")
	default:
		return problem.Internal(err)
	}
}
