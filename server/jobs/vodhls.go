package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"cuttle.video/server/database"
	"cuttle.video/server/images"
	"cuttle.video/server/media"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
	"cuttle.video/transcoder/probe"
)

// vodHLSKind is the kind of the jobs that turn a video's original into its
// HLS ladder. The video waits for it to play: its final failure is the
// video's, and retrying it makes the video wait again.
type vodHLSKind struct{}

// TranscodeJob records, in tx, the transcoding job of a video whose
// original has just reached media storage; nil when the video already has
// one waiting, running or done (a resumed completion comes again). The
// row is the promise that the video gets transcoded: QueueAfterCommit
// puts it on the queue, and Reconcile does if the process dies first.
func (s *Service) TranscodeJob(ctx context.Context, tx *database.DB, v *database.Video) (*database.Job, error) {
	// Locked first, so that an upload's finish and a reconciliation
	// racing on the same video record one job between them.
	if err := tx.LockVideoRow(ctx, v.ID); err != nil {
		return nil, err
	}
	existing, err := tx.LatestJob(ctx, v.ID, string(job.VODHLS))
	if err == nil && existing.State != database.JobFailed {
		return nil, nil
	}
	if err != nil && !errors.Is(err, database.ErrNotFound) {
		return nil, err
	}
	id := uuid.NewString()
	j := &database.Job{ID: id, Type: string(job.VODHLS), VideoID: v.ID, State: database.JobQueued,
		OutputPrefix: media.StagingPrefix(v.UUID, id)}
	if err := tx.CreateJob(ctx, j); err != nil {
		return nil, err
	}
	j.Video = v
	return j, nil
}

// payload chooses the ladder from the upload's probe, presigns the
// original for reading and grants writes under prefix, and nothing else.
func (vodHLSKind) payload(ctx context.Context, s *Service, v *database.Video, prefix string) (any, error) {
	var pr probe.Result
	if err := json.Unmarshal([]byte(v.OriginalProbe), &pr); err != nil {
		return nil, fmt.Errorf("jobs: probe of video %s: %w", v.UUID, err)
	}
	limit := s.timeLimit(pr.Duration)
	p := &job.VODHLSPayload{SegmentSeconds: s.cfg.SegmentSeconds, Renditions: pipeline.Ladder(&pr),
		TimeLimitSeconds: int(limit / time.Second)}
	p.MaxOutputBytes = maxOutputBytes(p.Renditions, pr.Duration)
	ttl := min(s.cfg.URLTTL+limit, maxURLTTL)
	var err error
	if p.InputURL, err = s.media.PresignGet(ctx, v.OriginalKey, ttl); err != nil {
		return nil, fmt.Errorf("jobs: presign original: %w", err)
	}
	// No file may be larger than everything the attempt may write.
	if p.Upload, err = s.media.GrantPut(ctx, prefix, job.VODHLSOutputTypes(), ttl, p.MaxOutputBytes); err != nil {
		return nil, fmt.Errorf("jobs: grant uploads under %s: %w", prefix, err)
	}
	return p, nil
}

// lateResults is false: a result from an attempt given up on may
// publish over the one another attempt is publishing.
func (vodHLSKind) lateResults() bool { return false }

// complete publishes the video: it checks the worker wrote only what it
// was allowed to, brings the files to the video's media prefix if its
// privacy changed while the job ran, writes the master playlist, removes
// files a previous attempt left that this one did not write, and marks
// the video published, once. It holds the video's files lock, so a
// privacy change cannot move the files from under it; while someone else
// holds the lock the event is handed again later.
func (vodHLSKind) complete(ctx context.Context, s *Service, j *database.Job, e job.Event) error {
	var res job.VODHLSResult
	if err := json.Unmarshal(e.Result, &res); err != nil {
		return s.refuse(ctx, j, e, fmt.Sprintf("unreadable result: %v", err))
	}
	if err := errors.Join(checkResult(&res), checkComplete(&res)); err != nil {
		return s.refuse(ctx, j, e, err.Error())
	}
	return media.WithFilesLocked(ctx, s.db, s.media, j.VideoID, func(v *database.Video) error {
		j.Video = v
		return s.publish(ctx, j, e, &res)
	})
}

func (s *Service) publish(ctx context.Context, j *database.Job, e job.Event, res *job.VODHLSResult) error {
	v := j.Video
	prefix := media.MediaPrefix(v)
	resumed, err := checkStaged(ctx, s.media, j, prefix, res.Files, renditionSizes(res))
	if errors.Is(err, errIncomplete) {
		return s.refuse(ctx, j, e, err.Error())
	} else if err != nil {
		return err
	}
	made := make(map[string]bool, len(res.Files))
	for _, f := range res.Files {
		made[f] = true
	}
	// The images the video has from its upload stay; the transcoding's
	// copies are left in staging, which Gather empties.
	imageCols, kept := images.Transcoded(v, made)
	notKept := func(files []string) []string {
		return slices.DeleteFunc(slices.Clone(files), func(f string) bool { return slices.Contains(kept, f) })
	}
	written := j.OutputPrefix
	if written == "" {
		written = prefix
	}
	if resumed {
		// An earlier handling of this completion checked the files and
		// began moving them when it failed: the move is finished first,
		// so that they are all in one place.
		if err := media.Gather(ctx, s.media, j.OutputPrefix, prefix, notKept(res.Files)); err != nil {
			return err
		}
		written = prefix
	}
	// Playlists are checked where the worker wrote them, so that refused
	// ones never reach a served prefix.
	if err := s.checkPlaylists(ctx, written, res); errors.Is(err, pipeline.ErrBadOutput) {
		return s.refuse(ctx, j, e, err.Error())
	} else if err != nil {
		return err
	}
	// The torrents, which read every rendition back, are made where the
	// files are, before they move: should storage fail meanwhile, the
	// completion is handled again from the start.
	if err := media.MakeTorrents(ctx, s.media, written, v, res); err != nil {
		return err
	}
	if err := media.Gather(ctx, s.media, j.OutputPrefix, prefix, notKept(res.Files)); err != nil {
		return err
	}
	// A new name, so that players and caches holding the master of an
	// earlier transcoding never mix it with these files.
	res.Master = job.MasterName(job.NewFileID())
	if err := media.WriteMaster(ctx, s.db, s.media, v, res); err != nil {
		return err
	}
	keep := map[string]bool{res.Master: true}
	for _, f := range append(slices.Clone(res.Files), kept...) {
		keep[f] = true
	}
	objects, err := s.media.List(ctx, prefix)
	if err != nil {
		return fmt.Errorf("jobs: list outputs: %w", err)
	}
	for _, o := range objects {
		if name := strings.TrimPrefix(o.Key, prefix); !keep[name] && !media.NotFromTranscoding(name) {
			if err := s.media.Delete(ctx, o.Key); err != nil {
				return fmt.Errorf("jobs: remove stale output: %w", err)
			}
		} else {
			delete(keep, name)
		}
	}
	delete(keep, res.Master)
	if missing := slices.Sorted(maps.Keys(keep)); len(missing) > 0 {
		return s.refuse(ctx, j, e, "outputs missing from media storage: "+strings.Join(missing, ", "))
	}
	hls, err := json.Marshal(res)
	if err != nil {
		return err
	}
	var next *database.Job
	err = s.db.Tx(ctx, func(tx *database.DB) error {
		if done, err := markCompleted(ctx, tx, j, e, prefix); !done || err != nil {
			return err
		}
		v.State, v.StateReason, v.HLS, v.Duration = database.StatePublished, "", string(hls), int(res.Duration+0.5)
		if err := tx.UpdateVideo(ctx, v, false, append([]string{"state", "state_reason", "hls", "duration"}, imageCols...)...); err != nil {
			return err
		}
		next, err = storyboardJob(ctx, tx, v, res)
		return err
	})
	if err == nil {
		s.QueueAfterCommit(ctx, next)
		if s.published != nil {
			s.published(ctx, v.ID)
		}
	}
	return err
}

// checkResult refuses results that name files outside the job's
// directory: a worker's word is not trusted with paths.
func checkResult(res *job.VODHLSResult) error {
	if len(res.Renditions) == 0 {
		return errors.New("the result has no renditions")
	}
	names := slices.Clone(res.Files)
	for _, r := range res.Renditions {
		names = append(names, r.Playlist)
	}
	names = append(names, res.SegmentsSHA256)
	for _, n := range names {
		if n == "" || n != path.Base(n) || n == "." || n == ".." || strings.ContainsAny(n, "\\\x00") {
			return fmt.Errorf("the result names a file it may not write: %q", n)
		}
	}
	return pipeline.CheckResult(res)
}

// renditionSizes is the size the result reports for each rendition's
// file, which its playlist's byte ranges were checked against.
func renditionSizes(res *job.VODHLSResult) map[string]int64 {
	sizes := make(map[string]int64, len(res.Renditions))
	for _, r := range res.Renditions {
		sizes[r.File] = r.Size
	}
	return sizes
}

// checkPlaylists reads back the media playlists the worker wrote under
// prefix and refuses, with pipeline.ErrBadOutput, any that is not in the
// shape the pipeline writes: players follow every URI in them, so a
// hostile worker could otherwise send every viewer to another host.
func (s *Service) checkPlaylists(ctx context.Context, prefix string, res *job.VODHLSResult) error {
	declared := make(map[string]bool, len(res.Files))
	for _, f := range res.Files {
		declared[f] = true
	}
	// checkComplete made sure every playlist is among the files.
	for _, r := range res.Renditions {
		data, err := storage.ReadAll(ctx, s.media, prefix+r.Playlist, pipeline.MaxPlaylistSize)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return fmt.Errorf("%w: playlist %s is missing from media storage", pipeline.ErrBadOutput, r.Playlist)
		case errors.Is(err, storage.ErrTooLarge):
			return fmt.Errorf("%w: playlist %s is larger than %d bytes", pipeline.ErrBadOutput, r.Playlist, pipeline.MaxPlaylistSize)
		case err != nil:
			return fmt.Errorf("jobs: read playlist %s: %w", r.Playlist, err)
		}
		if err := pipeline.CheckMediaPlaylist(data, r, func(name string) bool { return declared[name] }); err != nil {
			return err
		}
	}
	return nil
}

// failed shows the video as one whose transcoding failed, with why.
func (vodHLSKind) failed(ctx context.Context, tx *database.DB, j *database.Job) error {
	v := j.Video
	v.State, v.StateReason = database.StateTranscodingFailed, j.Error
	return tx.UpdateVideo(ctx, v, false, "state", "state_reason")
}

// retried shows the video as waiting for its transcoding again.
func (vodHLSKind) retried(ctx context.Context, tx *database.DB, j *database.Job) error {
	j.Video.State, j.Video.StateReason = database.StateToTranscode, ""
	return tx.UpdateVideo(ctx, j.Video, false, "state", "state_reason")
}
