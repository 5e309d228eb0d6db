// Package jobs holds the rules of background work on videos: what a
// job asks of its worker, how workers' events change a video, and how
// jobs survive queues that lose them. The database is the source of
// truth; the queue only delivers.
//
// Every job lives the same life, written once in life.go. What differs
// between job types (the payload, what a result publishes, what a final
// failure or a retry means for the video) is the type's kind, in a file
// of its own (vodhls.go, storyboard.go) and named in the kinds table. A
// new type, such as live transcoding, is one such file and its line in
// the table, with its runner handler the one file on the workers' side.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/deadline"
	"cuttle.video/server/media"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
)

// Config tunes transcoding.
type Config struct {
	// SegmentSeconds is the HLS segment duration.
	SegmentSeconds int
	// URLTTL is how long a job may wait in the queue with valid presigned
	// URLs; a transcoding job's URLs live that long plus its time limit.
	// A job that waits longer is re-issued with fresh ones.
	URLTTL time.Duration
	// TimeLimitFactor is the wall time a transcode may take per second of
	// media, beyond a fixed allowance for transfers.
	TimeLimitFactor float64
}

// Service is the jobs processor.
type Service struct {
	cfg   Config
	db    *database.DB
	queue queue.Queue
	media storage.Store
	log   *slog.Logger

	// retry reconciles again after a queue refused jobs; no timer runs
	// while everything is queued.
	retry     *deadline.Timer
	mu        sync.Mutex
	retryWait time.Duration // the backoff of the next retry
	// published is told of each video a job published, once committed.
	published func(ctx context.Context, videoID int64)
}

// OnPublished sets fn to be told, once committed, of every video a
// transcoding publishes. Set it before the server serves.
func (s *Service) OnPublished(fn func(ctx context.Context, videoID int64)) { s.published = fn }

// New returns a Service.
func New(cfg Config, db *database.DB, q queue.Queue, media storage.Store, log *slog.Logger) *Service {
	s := &Service{cfg: cfg, db: db, queue: q, media: media, log: log, retryWait: time.Second}
	s.retry = deadline.New(nil, s.reconcileLater)
	return s
}

// enqueue builds the job's payload, with fresh presigned URLs, and puts
// it on the queue. The prefix the job writes under is recorded so that
// its completion finds the files.
func (s *Service) enqueue(ctx context.Context, j *database.Job) error {
	k, err := kindOf(j)
	if err != nil {
		return err
	}
	prefix := media.StagingPrefix(j.Video.UUID, j.ID)
	payload, err := k.payload(ctx, s, j.Video, prefix)
	if err != nil {
		return err
	}
	if j.OutputPrefix != prefix {
		j.OutputPrefix = prefix
		if err := s.db.UpdateJob(ctx, j, nil, "output_prefix"); err != nil {
			return err
		}
	}
	qj, err := job.New(j.ID, job.Type(j.Type), j.Video.UUID, payload)
	if err != nil {
		return err
	}
	return s.queue.Enqueue(ctx, qj)
}

// QueueAfterCommit puts a job recorded in a transaction that committed
// on the queue; a refusal is retried like any other. A nil job is none.
func (s *Service) QueueAfterCommit(ctx context.Context, j *database.Job) {
	if j == nil {
		return
	}
	if err := s.enqueue(ctx, j); err != nil {
		s.log.WarnContext(ctx, "queue job; will retry", "job", j.ID, "type", j.Type, "err", err)
		s.retryLater()
	}
}

// retryLater schedules a reconciliation with exponential backoff, for a
// queue that refused jobs.
func (s *Service) retryLater() {
	s.mu.Lock()
	wait := s.retryWait
	s.mu.Unlock()
	s.retry.Within(wait)
}

// reconcileLater is the retry timer's run: it doubles the backoff, up to
// a minute, while reconciling fails, and resets it once it succeeds.
func (s *Service) reconcileLater(ctx context.Context) {
	run, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err := s.Reconcile(run)
	if ctx.Err() != nil {
		return // closed
	}
	s.mu.Lock()
	if err != nil {
		s.retryWait = min(2*s.retryWait, time.Minute)
	} else {
		s.retryWait = time.Second
	}
	s.mu.Unlock()
	if err != nil {
		s.log.Warn("re-queue jobs", "err", err)
		s.retryLater()
	}
}

// Close stops pending retries and waits for a running one.
func (s *Service) Close() { s.retry.Close() }

// Reconcile queues again every job the database says is waiting or
// running but the queue does not hold: after a start, a queue restart
// that lost its data, or a failed enqueue. First it gives a job to every
// video whose original is stored but that waits for a transcoding no job
// promises (a process that died before recording it, or data from before
// the job was recorded with the original).
func (s *Service) Reconcile(ctx context.Context) error {
	repairErr := s.repairOrphans(ctx)
	pending, err := s.db.JobsInStates(ctx, database.JobQueued, database.JobProcessing)
	if err != nil {
		return errors.Join(repairErr, err)
	}
	if len(pending) == 0 {
		return repairErr
	}
	present, err := s.queue.Waiting(ctx)
	if err != nil {
		return errors.Join(repairErr, fmt.Errorf("jobs: list queue: %w", err))
	}
	errs := []error{repairErr}
	for i := range pending {
		j := &pending[i]
		if present[j.ID] {
			continue
		}
		if err := s.enqueue(ctx, j); err != nil {
			errs = append(errs, err)
			continue
		}
		s.log.InfoContext(ctx, "re-queued job the queue did not hold", "job", j.ID, "video", j.Video.UUID)
	}
	return errors.Join(errs...)
}

// repairOrphans records the missing transcoding jobs that Reconcile then
// queues. A video whose original never reached media storage is left
// alone: its resumable upload finishes or expires it.
func (s *Service) repairOrphans(ctx context.Context) error {
	orphans, err := s.db.VideosWithoutPendingJob(ctx, string(job.VODHLS))
	if err != nil {
		return fmt.Errorf("jobs: videos without a job: %w", err)
	}
	var errs []error
	for i := range orphans {
		v := &orphans[i]
		if _, err := s.media.Stat(ctx, v.OriginalKey); errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			errs = append(errs, fmt.Errorf("jobs: stat original of video %s: %w", v.UUID, err))
			continue
		}
		if v.OriginalProbe == "" {
			// The probe is recorded with the row; only a row written by an
			// older release can lack it, and no ladder can be chosen.
			s.log.WarnContext(ctx, "video waits for transcoding but its original was never probed", "video", v.UUID)
			continue
		}
		err := s.db.Tx(ctx, func(tx *database.DB) error {
			j, err := s.TranscodeJob(ctx, tx, v)
			if err == nil && j != nil {
				s.log.InfoContext(ctx, "recorded the missing transcoding job of a stored original", "job", j.ID, "video", v.UUID)
			}
			return err
		})
		if err != nil && !errors.Is(err, database.ErrNotFound) {
			// Not found: the video was deleted meanwhile.
			errs = append(errs, fmt.Errorf("jobs: record job of video %s: %w", v.UUID, err))
		}
	}
	return errors.Join(errs...)
}

// jobError bounds a worker's error before it is stored and shown. The
// worker is expected to have left out URLs and paths already; they are
// redacted again here, since one careless or hostile worker would
// otherwise publish a presigned URL to the video's viewers.
func jobError(msg string) string {
	msg = strings.TrimSpace(job.RedactError(msg))
	if len(msg) > 2000 {
		msg = msg[:2000] + "…"
	}
	return msg
}

// Transcoding and storyboard jobs write into a staging prefix of their
// own, which no route serves. Publishing checks what is there and moves it
// under the video's media prefix of that moment. So a worker, or anyone
// holding its upload grant, can never write over published files, and a
// privacy change while the job runs cannot leave files under the public
// prefix.

// StagingOpen tells whether prefix is the staging prefix of a job still
// queued or running: once its job ended, the upload grant on it is
// withdrawn, so that a leaked grant cannot even fill staging.
func (s *Service) StagingOpen(ctx context.Context, prefix string) bool {
	id, ok := media.StagingJob(prefix)
	if !ok {
		return false
	}
	j, err := s.db.JobByID(ctx, id)
	if err != nil {
		if !errors.Is(err, database.ErrNotFound) {
			s.log.ErrorContext(ctx, "jobs: check a staging prefix", "prefix", prefix, "err", err)
		}
		return false
	}
	return j.OutputPrefix == prefix && (j.State == database.JobQueued || j.State == database.JobProcessing)
}

// errIncomplete says a result does not back what it claims with files.
var errIncomplete = errors.New("the result is incomplete")

// checkComplete refuses results that leave out a file a playable video
// needs: publishing one would replace a working ladder with nothing.
func checkComplete(res *job.VODHLSResult) error {
	listed := map[string]bool{}
	for _, f := range res.Files {
		listed[f] = true
	}
	need := []string{res.SegmentsSHA256}
	for _, r := range res.Renditions {
		need = append(need, r.File, r.Playlist)
	}
	for _, n := range need {
		if !listed[n] {
			return fmt.Errorf("%w: %q is not among its files", errIncomplete, n)
		}
	}
	return nil
}

// checkStaged makes sure every file the result names is in the job's
// staging prefix, of the size the result reports where sizes does,
// before anything published is touched. A handling of the same
// completion that failed half way (storage gone for a moment, the server
// killed) may have moved some already: those count when they are under
// the video's media prefix, published, and resumed says so. Jobs queued
// by earlier releases wrote straight under the media prefix and are not
// checked here.
func checkStaged(ctx context.Context, st storage.Store, j *database.Job, published string, names []string,
	sizes map[string]int64) (resumed bool, err error) {
	if _, ok := media.StagingJob(j.OutputPrefix); !ok {
		return false, nil
	}
	missing := map[string]bool{}
	for _, n := range names {
		missing[n] = true
	}
	found := func(prefix string) error {
		objects, err := st.List(ctx, prefix)
		if err != nil {
			return fmt.Errorf("jobs: list outputs: %w", err)
		}
		for _, o := range objects {
			name := strings.TrimPrefix(o.Key, prefix)
			if !missing[name] {
				continue
			}
			if want, ok := sizes[name]; ok && o.Size != want {
				return fmt.Errorf("%w: %s holds %d bytes, the result reports %d", errIncomplete, name, o.Size, want)
			}
			delete(missing, name)
			// The video's images have these names from its upload on;
			// every other name is the job's own.
			if prefix == published && name != job.ThumbnailFile && name != job.PreviewFile {
				resumed = true
			}
		}
		return nil
	}
	if err := found(j.OutputPrefix); err != nil {
		return false, err
	}
	if len(missing) > 0 {
		if err := found(published); err != nil {
			return false, err
		}
	}
	if len(missing) > 0 {
		return false, fmt.Errorf("%w: outputs missing from media storage: %s", errIncomplete,
			strings.Join(slices.Sorted(maps.Keys(missing)), ", "))
	}
	return resumed, nil
}

// staleEvent tells whether an event comes from an attempt that no longer
// holds the job: an earlier attempt, or another worker than the one whose
// reports moved the job to this attempt.
func staleEvent(j *database.Job, e job.Event) bool {
	if e.Attempt < j.Attempts {
		return true
	}
	return e.Attempt == j.Attempts && j.Worker != "" && e.Worker != j.Worker
}

// Time and size bounds of a transcode, from the original's duration.
const (
	// timeLimitBase covers download, probe and upload, which do not
	// scale with the encoding speed.
	timeLimitBase = 15 * time.Minute
	// outputSlack is what a rendition may write beyond its bitrates: init
	// segments, playlists, images, and bursts the rate control allows.
	outputSlack   = 64 << 20
	outputOverrun = 2
)

// maxURLTTL is the longest validity S3 allows a presigned URL; a time
// limit beyond it is still enforced, but the URLs expire first.
const maxURLTTL = 7 * 24 * time.Hour

// timeLimit bounds an attempt's wall time.
func (s *Service) timeLimit(duration float64) time.Duration {
	return timeLimitBase + time.Duration(duration*s.cfg.TimeLimitFactor*float64(time.Second))
}

// maxOutputBytes bounds what an attempt may write: the renditions' bit
// rates over the duration, with room to spare.
func maxOutputBytes(ladder []job.Rendition, duration float64) int64 {
	var kbps int
	for _, r := range ladder {
		kbps += r.VideoKbps + r.AudioKbps
	}
	return int64(float64(kbps)*1000/8*duration*outputOverrun) + outputSlack
}
