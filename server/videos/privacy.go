package videos

import (
	"context"
	"errors"
	"io"
	"path"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/storage"
)

// save writes an update whose fields m.apply already copied into v;
// oldPrivacy is the privacy before. Passwords follow the privacy: given
// ones replace the video's, and leaving password protection drops them.
// A privacy change also moves the video's files (see media.MediaPrefix)
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
	return media.WithFiles(ctx, s.db, s.media, v.ID, func(cur *database.Video) error {
		cols = append(cols, media.NewGeneration(cur, v)...)
		if err := s.db.Tx(ctx, write); err != nil {
			return err
		}
		s.notifyAccessChanged(ctx, v.UUID)
		// From here the video's new privacy rules its files.
		return media.FinishMove(ctx, s.db, s.media, v)
	})
}

// finishMove completes a move of files an earlier privacy change left
// half done. It is best effort: the next start retries.
func (s *Service) finishMove(ctx context.Context, videoID int64) {
	err := media.WithFilesLocked(context.WithoutCancel(ctx), s.db, s.media, videoID, func(*database.Video) error { return nil })
	if err != nil && !errors.Is(err, media.ErrFilesBusy) {
		s.log.ErrorContext(ctx, "move video files", "video", videoID, "err", err)
	}
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
	return media.WithFiles(ctx, s.db, s.media, videoID, func(v *database.Video) error {
		return s.media.Put(ctx, media.MediaPrefix(v)+name, r, size, "")
	})
}
