package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/storage"
)

// Where a video's files live in media storage.
//
// Every file of a video's media directory (HLS playlists and segments,
// the segment hash map, thumbnail, preview, captions, storyboards) is
// stored under MediaPrefix(v). Nothing else may build that prefix: it
// depends on the video's privacy, and files written anywhere else are
// either public when they must not be, or lost when the privacy changes.
//
// Public and unlisted videos keep their files under
// "videos/{uuid}/hls/", served without checks and cacheable by a CDN.
// Every other privacy keeps them under
// "private/videos/{uuid}/{generation}/hls/", which only the server's
// private routes read, for holders of a file token. The generation grows
// with each privacy change, so a change moves the files and every link
// handed out before it (file tokens, presigned URLs) stops working.

// MediaPrefix is where the video's media files are stored: the one
// function that says so. Code that stores, reads or lists a video's media
// files calls it; never spell the prefix out. Writers of a video's files (transcoding jobs,
// captions, storyboards) take the prefix from here when they write, and
// hold the video's files lock (WithFilesLocked) if the video may change
// privacy meanwhile.
func MediaPrefix(v *database.Video) string {
	if PublicFiles(v.Privacy) {
		return PublicMediaPrefix(v.UUID)
	}
	return "private/videos/" + v.UUID + "/" + strconv.Itoa(v.MediaGeneration) + "/hls/"
}

// PublicFiles tells whether a privacy level serves its files to anyone
// who knows their URLs: public and unlisted.
func PublicFiles(privacy int) bool {
	return privacy == database.PrivacyPublic || privacy == database.PrivacyUnlisted
}

// PublicMediaPrefix is MediaPrefix of a public or unlisted video. Only
// the public file route, which serves files without loading their video,
// calls it directly.
func PublicMediaPrefix(videoUUID string) string { return "videos/" + videoUUID + "/hls/" }

// FilePrefixes lists every prefix that may hold files of a video's media
// directory, whatever its privacy was, for deleting them all.
func FilePrefixes(videoUUID string) []string {
	return []string{"videos/" + videoUUID + "/", "private/videos/" + videoUUID + "/", "staging/" + videoUUID + "/"}
}

// filesLease bounds how long a crashed holder keeps a video's files
// locked; moving the files of a long video on S3 takes well under it.
const filesLease = 15 * time.Minute

// ErrFilesBusy says someone else is moving or writing the video's files.
var ErrFilesBusy = errors.New("the video's files are being moved")

// WithFilesLocked runs fn while holding the lease on a video's files,
// with the video as stored once the lease is held. A move that an earlier
// holder left half done (a crash, a storage failure) is finished first,
// so fn always finds the files under MediaPrefix(v). ErrFilesBusy says
// another holder has the lease. The files are moved with ctx: callers
// serving a request pass a context that outlives the client.
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
	if err := finishMove(ctx, db, st, v); err != nil {
		return err
	}
	return fn(v)
}

// finishMove moves the files a privacy change left under their previous
// prefix to MediaPrefix(v). It runs under the video's files lock.
func finishMove(ctx context.Context, db *database.DB, st storage.Store, v *database.Video) error {
	if v.MediaMovingFrom == "" {
		return nil
	}
	if _, err := storage.MovePrefix(ctx, st, v.MediaMovingFrom, MediaPrefix(v)); err != nil {
		return fmt.Errorf("jobs: move files of video %s: %w", v.UUID, err)
	}
	if err := db.FinishVideoFilesMove(ctx, v.ID); err != nil {
		return err
	}
	v.MediaMovingFrom = ""
	return nil
}

// ResumeMoves finishes the moves of video files that a crash or a
// storage failure interrupted. The server runs it when it starts.
func ResumeMoves(ctx context.Context, db *database.DB, st storage.Store) error {
	ids, err := db.VideosMovingFiles(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		err := WithFilesLocked(ctx, db, st, id, func(*database.Video) error { return nil })
		// A busy video is being handled by its lease holder.
		if err != nil && !errors.Is(err, ErrFilesBusy) && !errors.Is(err, database.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// gather moves a job's files from where it was told to write them to
// where they belong now that the video's privacy changed, then removes
// what is left at the old place. Files already gone from there were moved
// along with the privacy change.
func gather(ctx context.Context, st storage.Store, from, to string, names []string) error {
	if from == "" || from == to {
		return nil
	}
	for _, n := range names {
		err := storage.Move(ctx, st, from+n, to+n)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("jobs: move output %s: %w", n, err)
		}
	}
	if err := st.DeletePrefix(ctx, from); err != nil {
		return fmt.Errorf("jobs: remove outputs left at %s: %w", from, err)
	}
	return nil
}
