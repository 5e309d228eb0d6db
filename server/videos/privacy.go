package videos

import (
	"context"
	"errors"
	"io"
	"path"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/jobs"
	"cuttle.video/server/problem"
	"cuttle.video/storage"
)

// save writes an update whose fields m.apply already copied into v;
// oldPrivacy is the privacy before. Passwords follow the privacy: given
// ones replace the video's, and leaving password protection drops them.
// A privacy change also moves the video's files (see jobs.MediaPrefix)
// under the files lock, and bumps the media generation so that file
// tokens and presigned URLs handed out before stop working.
func (s *Service) save(ctx context.Context, v *database.Video, oldPrivacy int, m *Metadata, cols []string, tags bool) error {
	if v.Privacy == database.PrivacyPassword {
		if m.VideoPasswords == nil && oldPrivacy != database.PrivacyPassword {
			return problem.Invalid(map[string]string{"videoPasswords": "a password-protected video needs at least one password"})
		}
		if m.VideoPasswords != nil && len(*m.VideoPasswords) == 0 {
			return problem.Invalid(map[string]string{"videoPasswords": "a password-protected video needs at least one password"})
		}
	} else if m.VideoPasswords != nil && len(*m.VideoPasswords) > 0 {
		return problem.Invalid(map[string]string{"videoPasswords": "only password-protected videos (privacy 5) have passwords"})
	}
	write := func(tx *database.DB) error {
		if len(cols) > 0 || tags {
			if err := tx.UpdateVideo(ctx, v, tags, cols...); err != nil {
				return err
			}
		}
		switch {
		case v.Privacy != database.PrivacyPassword && oldPrivacy == database.PrivacyPassword:
			return tx.ReplaceVideoPasswords(ctx, v.ID, nil)
		case v.Privacy == database.PrivacyPassword && m.VideoPasswords != nil:
			return tx.ReplaceVideoPasswords(ctx, v.ID, *m.VideoPasswords)
		}
		return nil
	}
	if v.Privacy == oldPrivacy {
		if err := s.db.Tx(ctx, write); err != nil {
			return problem.Internal(err)
		}
		if m.VideoPasswords != nil {
			s.notifyAccessChanged(ctx, v.UUID)
		}
		if v.MediaMovingFrom != "" {
			// An earlier change failed to move the files; try again.
			s.finishMove(ctx, v.ID)
		}
		return nil
	}
	// The files move whether or not the client waits for the answer.
	ctx = context.WithoutCancel(ctx)
	err := s.withFilesLocked(ctx, v.ID, func(cur *database.Video) error {
		from := jobs.MediaPrefix(cur)
		v.MediaGeneration = cur.MediaGeneration + 1
		to := jobs.MediaPrefix(v)
		v.MediaMovingFrom = ""
		if from != to {
			v.MediaMovingFrom = from
		}
		cols = append(cols, "media_generation", "media_moving_from")
		if err := s.db.Tx(ctx, write); err != nil {
			return err
		}
		s.notifyAccessChanged(ctx, v.UUID)
		if from == to {
			return nil
		}
		// From here the video's new privacy rules its files. Should the
		// move fail, the next holder of the lock (or the next start)
		// finishes it: the database says where the files come from.
		if _, err := storage.MovePrefix(ctx, s.media, from, to); err != nil {
			return err
		}
		return s.db.FinishVideoFilesMove(ctx, v.ID)
	})
	if errors.Is(err, jobs.ErrFilesBusy) {
		return problem.Conflict("the video's files are being moved or written; try again in a moment").WithHeader("Retry-After", "5")
	}
	if err != nil {
		return problem.Internal(err)
	}
	return nil
}

// finishMove completes a move of files an earlier privacy change left
// half done. It is best effort: the next start retries.
func (s *Service) finishMove(ctx context.Context, videoID int64) {
	err := jobs.WithFilesLocked(context.WithoutCancel(ctx), s.db, s.media, videoID, func(*database.Video) error { return nil })
	if err != nil && !errors.Is(err, jobs.ErrFilesBusy) {
		s.log.ErrorContext(ctx, "move video files", "video", videoID, "err", err)
	}
}

// ResumeMoves finishes the moves of video files that a crash or a
// storage failure interrupted; the server runs it when it starts.
func (s *Service) ResumeMoves(ctx context.Context) error {
	return jobs.ResumeMoves(ctx, s.db, s.media)
}

// checkFileName refuses names that are not a single path element.
func checkFileName(name string) error {
	if name != path.Base(name) || storage.ValidateKey(name) != nil {
		return problem.BadRequest("%q is not a file name", name)
	}
	return nil
}

// PutFile stores a file of the video's media directory (a caption, a
// storyboard) where the video's privacy says, holding the video's files
// lock so that a privacy change cannot leave it under the old prefix.
func (s *Service) PutFile(ctx context.Context, videoID int64, name string, r io.Reader, size int64) error {
	if err := checkFileName(name); err != nil {
		return err
	}
	return s.withFiles(ctx, videoID, func(v *database.Video) error {
		return s.media.Put(ctx, jobs.MediaPrefix(v)+name, r, size, "")
	})
}

func (s *Service) withFiles(ctx context.Context, videoID int64, fn func(v *database.Video) error) error {
	err := s.withFilesLocked(ctx, videoID, fn)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jobs.ErrFilesBusy):
		return problem.Conflict("the video's files are being moved or written; try again in a moment").WithHeader("Retry-After", "5")
	case errors.Is(err, database.ErrNotFound):
		return problem.NotFound("video")
	default:
		return problem.Internal(err)
	}
}

// lockPatience bounds how long a request waits for another holder of a
// video's files lock (a finishing transcoding, a caption being written)
// before it answers 409.
const lockPatience = 10 * time.Second

// withFilesLocked is jobs.WithFilesLocked for requests: it waits a
// little while someone else holds the lock. The lease lives in the
// database, shared by every replica, so there is nothing to wait on but
// time.
func (s *Service) withFilesLocked(ctx context.Context, videoID int64, fn func(v *database.Video) error) error {
	deadline := time.Now().Add(lockPatience)
	delay := 50 * time.Millisecond
	for {
		err := jobs.WithFilesLocked(ctx, s.db, s.media, videoID, fn)
		if !errors.Is(err, jobs.ErrFilesBusy) || time.Now().Add(delay).After(deadline) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}
