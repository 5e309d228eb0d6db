package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/languages"
	"cuttle.video/server/problem"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
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

// FinishMove moves the files a privacy change left under their previous
// prefix (see NewGeneration) to MediaPrefix(v). It runs under the
// video's files lock; should it fail, the next holder of the lock (or the
// next start) finishes it, as the database says where the files come
// from.
func FinishMove(ctx context.Context, db *database.DB, st storage.Store, v *database.Video) error {
	if v.MediaMovingFrom == "" {
		return nil
	}
	if _, err := storage.MovePrefix(ctx, st, v.MediaMovingFrom, MediaPrefix(v)); err != nil {
		return fmt.Errorf("media: move files of video %s: %w", v.UUID, err)
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

// Gather moves a job's files from where it was told to write them to
// where they belong now (the video's privacy may have changed meanwhile),
// then removes what is left at the old place. Files already gone from
// there were moved along with the privacy change.
func Gather(ctx context.Context, st storage.Store, from, to string, names []string) error {
	if from == "" || from == to {
		return nil
	}
	for _, n := range names {
		err := storage.Move(ctx, st, from+n, to+n)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("media: move output %s: %w", n, err)
		}
	}
	if err := st.DeletePrefix(ctx, from); err != nil {
		return fmt.Errorf("media: remove outputs left at %s: %w", from, err)
	}
	return nil
}

// WriteMaster writes the master playlist of res in v's media directory,
// with the video's captions as subtitle renditions, and the subtitle
// playlist of each. It is the one writer of master playlists: a finished
// transcoding and a change of captions both call it, holding the video's
// files lock, so they cannot overwrite each other's work.
func WriteMaster(ctx context.Context, db *database.DB, st storage.Store, v *database.Video, res *job.VODHLSResult) error {
	prefix := MediaPrefix(v)
	captions, err := db.Captions(ctx, v.ID)
	if err != nil {
		return err
	}
	var subtitles []pipeline.Subtitle
	for _, c := range captions {
		pl, err := pipeline.SubtitlePlaylist(CaptionFile(c.Language), res.Duration)
		if err != nil {
			return err
		}
		if err := st.Put(ctx, prefix+CaptionPlaylist(c.Language), strings.NewReader(string(pl)), int64(len(pl)), ""); err != nil {
			return fmt.Errorf("media: write subtitle playlist: %w", err)
		}
		subtitles = append(subtitles, pipeline.Subtitle{
			Language: c.Language, Name: languages.Label(c.Language), Playlist: CaptionPlaylist(c.Language),
		})
	}
	master, err := pipeline.MasterPlaylist(res.Renditions, subtitles...)
	if err != nil {
		return err
	}
	if err := st.Put(ctx, prefix+res.MasterPlaylist(), strings.NewReader(string(master)), int64(len(master)), ""); err != nil {
		return fmt.Errorf("media: write master playlist: %w", err)
	}
	return nil
}

// RewriteMasterPlaylist writes again the master playlist of a video
// whose captions changed. The caller holds the video's files lock
// (WithFiles) and passes the video it got from it. Before the first
// transcoding finishes there is nothing to write: the finishing
// transcoding lists the captions then.
func RewriteMasterPlaylist(ctx context.Context, db *database.DB, st storage.Store, v *database.Video) error {
	if v.HLS == "" {
		return nil
	}
	var res job.VODHLSResult
	if err := json.Unmarshal([]byte(v.HLS), &res); err != nil {
		return fmt.Errorf("media: result of video %s: %w", v.UUID, err)
	}
	return WriteMaster(ctx, db, st, v, &res)
}
