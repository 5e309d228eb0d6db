// Package uploads receives originals from creators: PeerTube's legacy
// multipart upload and its resumable protocol. Bytes stream to files in
// the uploads directory, never whole into memory; a finished file is
// probed, then handed to the videos service.
package uploads

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/deadline"
	"cuttle.video/server/images"
	"cuttle.video/server/problem"
	"cuttle.video/server/videos"
	"cuttle.video/transcoder/probe"
)

// Config bounds uploads.
type Config struct {
	// Dir holds partial and spooled uploads; it should be on the same
	// filesystem as local media storage so finished files are renamed,
	// not copied.
	Dir          string
	MaxFileSize  int64
	MaxDimension int
	MaxDuration  time.Duration
	// Expiry is how long an unfinished resumable upload lives after its
	// last activity.
	Expiry time.Duration
}

// Transcoder promises the transcoding of a video whose original is
// stored: TranscodeJob records the job in the caller's transaction (nil
// when the video has one already: a resumed completion asks again), and
// QueueAfterCommit queues it once that transaction committed.
type Transcoder interface {
	TranscodeJob(ctx context.Context, tx *database.DB, v *database.Video) (*database.Job, error)
	QueueAfterCommit(ctx context.Context, j *database.Job)
}

// Service is the uploads processor.
type Service struct {
	cfg        Config
	db         *database.DB
	videos     *videos.Service
	images     *images.Service
	transcoder Transcoder
	now        func() time.Time
	log        *slog.Logger
	locks      keyedMutex
	// expiry sweeps abandoned uploads by the earliest expiry.
	expiry *deadline.Timer
}

// New prepares the uploads directory and removes spool files a crash
// left behind; Start begins expiring abandoned uploads.
func New(cfg Config, db *database.DB, vs *videos.Service, is *images.Service, tr Transcoder, now func() time.Time, log *slog.Logger) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("uploads: create dir: %w", err)
	}
	stale, err := filepath.Glob(filepath.Join(cfg.Dir, spoolPrefix+"*"))
	if err != nil {
		return nil, fmt.Errorf("uploads: list spool files: %w", err)
	}
	for _, f := range stale {
		if err := os.Remove(f); err != nil {
			return nil, fmt.Errorf("uploads: remove stale spool file: %w", err)
		}
	}
	s := &Service{cfg: cfg, db: db, videos: vs, images: is, transcoder: tr, now: now, log: log}
	s.expiry = deadline.New(now, s.sweepLater)
	return s, nil
}

// spoolPrefix names the files of legacy uploads, which never outlive
// their request.
const spoolPrefix = "spool-"

func maxSizeProblem(limit int64) *problem.Problem {
	return problem.New(http.StatusRequestEntityTooLarge, "the file is larger than the maximum of %d bytes", limit).
		WithCode(problem.CodeMaxFileSizeReached)
}

// checkQuota refuses an upload of extra bytes that would take the user
// over their total or daily quota. Unfinished resumable uploads count,
// so parallel uploads cannot overshoot it together.
func (s *Service) checkQuota(ctx context.Context, u *database.User, extra int64, countPending bool) error {
	if u.VideoQuota < 0 && u.VideoQuotaDaily < 0 {
		return nil
	}
	total, daily, err := s.db.VideoQuotaUsed(ctx, u.ID)
	if err != nil {
		return problem.Internal(err)
	}
	var pending int64
	if countPending {
		if pending, err = s.db.PendingUploadBytes(ctx, u.ID); err != nil {
			return problem.Internal(err)
		}
	}
	if u.VideoQuota >= 0 && total+pending+extra > u.VideoQuota {
		return problem.New(http.StatusRequestEntityTooLarge,
			"the video quota is exceeded: %d of %d bytes used, this file needs %d", total+pending, u.VideoQuota, extra).
			WithCode(problem.CodeQuotaReached)
	}
	if u.VideoQuotaDaily >= 0 && daily+pending+extra > u.VideoQuotaDaily {
		return problem.New(http.StatusRequestEntityTooLarge,
			"the daily video quota is exceeded: %d of %d bytes used today, this file needs %d", daily+pending, u.VideoQuotaDaily, extra).
			WithCode(problem.CodeQuotaReached)
	}
	return nil
}

// probeOriginal decides from the file's bytes whether it can become a
// video.
func (s *Service) probeOriginal(ctx context.Context, path string) (*probe.Result, error) {
	res, err := probe.File(ctx, path)
	if err == nil {
		if res.Duration > s.cfg.MaxDuration.Seconds() {
			// Compared in seconds: a forged duration can overflow a
			// time.Duration.
			return nil, problem.New(http.StatusUnprocessableEntity, "the file lasts %.0f s; a video may last at most %s",
				res.Duration, s.cfg.MaxDuration)
		}
		err = res.CheckPackets()
	}
	if errors.Is(err, probe.ErrNotMedia) {
		detail := strings.TrimPrefix(err.Error(), probe.ErrNotMedia.Error())
		return nil, problem.New(http.StatusUnprocessableEntity,
			"the file is not a video or audio file that can be transcoded%s", detail)
	}
	if err != nil {
		return nil, problem.Internal(err)
	}
	if v := res.Video; v != nil && (v.Width > s.cfg.MaxDimension || v.Height > s.cfg.MaxDimension) {
		return nil, problem.BadRequest("the video is %dx%d; width and height may be at most %d", v.Width, v.Height, s.cfg.MaxDimension)
	}
	return res, nil
}

// keyedMutex serialises work on one upload id; entries live only while
// someone holds or waits for them.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedEntry
}

type keyedEntry struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedEntry{}
	}
	e := k.locks[key]
	if e == nil {
		e = &keyedEntry{}
		k.locks[key] = e
	}
	e.refs++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

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
