package media

import (
	"context"
	"errors"
	"fmt"

	"cuttle.video/server/database"
	"cuttle.video/storage"
)

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
