package uploads

import (
	"context"
	"errors"
	"fmt"

	"cuttle.video/server/database"
	"cuttle.video/server/images"
	"cuttle.video/server/problem"
	"cuttle.video/server/videos"
)

// finished is a complete upload's file, about to become a video.
type finished struct {
	path string
	size int64
	// uploadID is the resumable upload the file came from, "" for a
	// legacy one; its row is forgotten when the video is complete.
	uploadID string
	// video is the row of an earlier attempt whose original never
	// reached media storage, nil for a first attempt.
	video *database.Video
	// chosen holds the images the uploader sent, nil without any.
	chosen *images.Set
}

// finishUpload is the one way a complete upload becomes a video, for
// legacy and resumable uploads alike: validate the metadata, probe the
// file, record the video, take its images, move the original into media
// storage, then record its transcoding job (and forget the resumable
// upload) in one transaction, and put the job on the queue after commit.
// The job row is the promise: from then on, a crash or a refused queue
// put is repaired by the jobs' reconciliation.
//
// The images are taken and stored before the answer, so that the video
// has them as soon as a client knows of it: one frame costs well under a
// second, and images.FromOriginal bounds it. Their failure never fails
// the upload, whose transcoding takes them again.
//
// Failure policy, the same for both protocols: a failure before the
// original is stored removes the video row it made, so no video waits for
// an original that will never come; what the client sent is kept only if
// it can come back for it (a resumable upload's bytes stay, and its next
// request starts the finish afresh). Once the original is stored the
// video is kept whatever fails: the jobs' reconciliation gives it its
// job, since deleting a complete original would throw away the upload.
func (s *Service) finishUpload(ctx context.Context, u *database.User, m *videos.Metadata, f finished,
	inCreate func(tx *database.DB, v *database.Video) error) (*database.Video, error) {
	v := f.video
	if v == nil {
		if err := s.videos.ValidateNew(ctx, u, m); err != nil {
			return nil, err
		}
		res, err := s.probeOriginal(ctx, f.path)
		if err != nil {
			return nil, refusedFile{err}
		}
		if v, err = s.videos.Create(ctx, m, videos.Original{Size: f.size, Probe: res}, inCreate); err != nil {
			return nil, err
		}
	}
	var auto *images.Set
	if !f.chosen.Has(images.Thumbnail) || !f.chosen.Has(images.Preview) {
		var err error
		if auto, err = s.images.FromOriginal(ctx, f.path, v); err != nil {
			s.log.ErrorContext(ctx, "take images of the original", "video", v.UUID, "err", err)
		}
		defer auto.Remove()
	}
	if err := s.videos.StoreOriginal(ctx, v, f.path); err != nil {
		if uerr := s.unmake(context.WithoutCancel(ctx), v); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return nil, err
	}
	if err := s.images.Store(ctx, v.ID, auto, f.chosen); err != nil {
		s.log.ErrorContext(ctx, "store images of a new video", "video", v.UUID, "err", err)
	}
	return v, s.promiseTranscode(ctx, v, f.uploadID)
}

// promiseTranscode records the transcoding job of a video whose original
// is stored, forgetting its resumable upload (uploadID, when not "") in
// the same transaction, then queues the job.
func (s *Service) promiseTranscode(ctx context.Context, v *database.Video, uploadID string) error {
	var j *database.Job
	err := s.db.Tx(ctx, func(tx *database.DB) error {
		var err error
		if j, err = s.transcoder.TranscodeJob(ctx, tx, v); err != nil {
			return err
		}
		if uploadID != "" {
			return tx.DeleteUpload(ctx, uploadID)
		}
		return nil
	})
	if err != nil {
		return problem.Internal(err)
	}
	s.transcoder.QueueAfterCommit(ctx, j)
	return nil
}

// unmake removes the row of a video whose original could not be stored,
// and whatever a failed move left under its prefixes; a resumable upload
// that made it survives, without it.
func (s *Service) unmake(ctx context.Context, v *database.Video) error {
	err := s.db.Tx(ctx, func(tx *database.DB) error {
		if err := tx.DetachUploadVideo(ctx, v.ID); err != nil {
			return err
		}
		if err := tx.DeleteVideo(ctx, v.ID); err != nil && !errors.Is(err, database.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("uploads: remove video %s: %w", v.UUID, err)
	}
	s.videos.RemoveVideoFiles(ctx, []string{v.UUID})
	return nil
}

// refusedFile marks a failure caused by the file's bytes, which no retry
// can cure.
type refusedFile struct{ error }

func (r refusedFile) Unwrap() error { return r.error }
