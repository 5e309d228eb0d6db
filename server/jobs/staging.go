package jobs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
)

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
		need = append(need, r.Playlist)
	}
	for _, n := range need {
		if !listed[n] {
			return fmt.Errorf("%w: %q is not among its files", errIncomplete, n)
		}
	}
	return nil
}

// checkStaged makes sure every file the result names is in the job's
// staging prefix before anything published is touched. Jobs queued by
// earlier releases wrote straight under the media prefix and are not
// checked here.
func checkStaged(ctx context.Context, st storage.Store, j *database.Job, names []string) error {
	if _, ok := media.StagingJob(j.OutputPrefix); !ok {
		return nil
	}
	objects, err := st.List(ctx, j.OutputPrefix)
	if err != nil {
		return fmt.Errorf("jobs: list staged outputs: %w", err)
	}
	missing := map[string]bool{}
	for _, n := range names {
		missing[n] = true
	}
	for _, o := range objects {
		delete(missing, strings.TrimPrefix(o.Key, j.OutputPrefix))
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: outputs missing from media storage: %s", errIncomplete,
			strings.Join(slices.Sorted(maps.Keys(missing)), ", "))
	}
	return nil
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
