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

	"cuttle.video/server/database"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
)

// progressStep limits database writes for progress to one per percent.
const progressStep = 0.01

// Handle applies a worker's event. It is safe to call with repeated,
// late or reordered events: guards on the job's state make them no-ops.
func (s *Service) Handle(ctx context.Context, e job.Event) error {
	if e.Type == job.EventQueueReset {
		s.log.WarnContext(ctx, "the job queue lost its state; re-queueing pending jobs")
		return s.Reconcile(ctx)
	}
	j, err := s.db.JobByID(ctx, e.JobID)
	if errors.Is(err, database.ErrNotFound) {
		// The video was deleted while its job ran.
		return nil
	}
	if err != nil {
		return err
	}
	switch e.Type {
	case job.EventProgress:
		return s.progress(ctx, j, e)
	case job.EventCompleted:
		if job.Type(j.Type) == job.Storyboard {
			return s.completeStoryboard(ctx, j, e)
		}
		return s.complete(ctx, j, e)
	case job.EventFailed:
		return s.fail(ctx, j, e)
	default:
		s.log.WarnContext(ctx, "unknown job event", "type", e.Type, "job", e.JobID)
		return nil
	}
}

// progress records how far the attempt holding the job is. Reports of an
// earlier attempt are dropped, as its completion would be: they would
// show another worker's progress and name it. Another worker's report of
// the current attempt is taken: a job handed back on shutdown is
// delivered again under the same attempt, and that report is what makes
// the new worker the job's holder.
func (s *Service) progress(ctx context.Context, j *database.Job, e job.Event) error {
	if e.Attempt < j.Attempts {
		return nil
	}
	if j.State == database.JobProcessing && e.Progress-j.Progress < progressStep && e.Attempt == j.Attempts {
		return nil
	}
	now := time.Now().UTC()
	j.Progress, j.Attempts, j.Worker = min(max(e.Progress, 0), 1), e.Attempt, e.Worker
	cols := []string{"progress", "attempts", "worker", "state"}
	if j.State == database.JobQueued {
		j.StartedAt = &now
		cols = append(cols, "started_at")
	}
	j.State = database.JobProcessing
	err := s.db.UpdateJob(ctx, j, []string{database.JobQueued, database.JobProcessing}, cols...)
	if errors.Is(err, database.ErrNotFound) {
		return nil
	}
	return err
}

// complete publishes the video: it checks the worker wrote only what it
// was allowed to, brings the files to the video's media prefix if its
// privacy changed while the job ran, writes the master playlist, removes
// files a previous attempt left that this one did not write, and marks
// the video published, once. It holds the video's files lock, so a
// privacy change cannot move the files from under it; while someone else
// holds the lock the event is handed again later.
func (s *Service) complete(ctx context.Context, j *database.Job, e job.Event) error {
	if j.State == database.JobCompleted {
		return nil
	}
	if j.State == database.JobFailed || staleEvent(j, e) {
		s.log.WarnContext(ctx, "ignored a completion from a worker that does not hold the job",
			"job", j.ID, "state", j.State, "attempt", e.Attempt, "worker", e.Worker)
		return nil
	}
	var res job.VODHLSResult
	if err := json.Unmarshal(e.Result, &res); err != nil {
		return s.refuse(ctx, j, e, fmt.Sprintf("unreadable result: %v", err))
	}
	if err := errors.Join(checkResult(&res), checkComplete(&res)); err != nil {
		return s.refuse(ctx, j, e, err.Error())
	}
	return WithFilesLocked(ctx, s.db, s.media, j.VideoID, func(v *database.Video) error {
		j.Video = v
		return s.publish(ctx, j, e, &res)
	})
}

func (s *Service) publish(ctx context.Context, j *database.Job, e job.Event, res *job.VODHLSResult) error {
	v := j.Video
	prefix := MediaPrefix(v)
	if err := checkStaged(ctx, s.media, j, res.Files); errors.Is(err, errIncomplete) {
		return s.refuse(ctx, j, e, err.Error())
	} else if err != nil {
		return err
	}
	// Playlists are checked where the worker wrote them, so that refused
	// ones never reach a served prefix.
	written := j.OutputPrefix
	if written == "" {
		written = prefix
	}
	if err := s.checkPlaylists(ctx, written, res); errors.Is(err, pipeline.ErrBadOutput) {
		return s.refuse(ctx, j, e, err.Error())
	} else if err != nil {
		return err
	}
	if err := gather(ctx, s.media, j.OutputPrefix, prefix, res.Files); err != nil {
		return err
	}
	if err := s.writeMaster(ctx, v, res, prefix); err != nil {
		return err
	}
	keep := map[string]bool{job.MasterPlaylist: true}
	for _, f := range res.Files {
		keep[f] = true
	}
	objects, err := s.media.List(ctx, prefix)
	if err != nil {
		return fmt.Errorf("jobs: list outputs: %w", err)
	}
	for _, o := range objects {
		if name := strings.TrimPrefix(o.Key, prefix); !keep[name] && !notFromTranscoding(name) {
			if err := s.media.Delete(ctx, o.Key); err != nil {
				return fmt.Errorf("jobs: remove stale output: %w", err)
			}
		} else {
			delete(keep, name)
		}
	}
	delete(keep, job.MasterPlaylist)
	if missing := slices.Sorted(maps.Keys(keep)); len(missing) > 0 {
		return s.refuse(ctx, j, e, "outputs missing from media storage: "+strings.Join(missing, ", "))
	}
	hls, err := json.Marshal(res)
	if err != nil {
		return err
	}
	var next *database.Job
	err = s.db.Tx(ctx, func(tx *database.DB) error {
		now := time.Now().UTC()
		j.State, j.Progress, j.Error, j.FinishedAt, j.Attempts, j.Worker = database.JobCompleted, 1, "", &now, e.Attempt, e.Worker
		j.OutputPrefix = prefix
		err := tx.UpdateJob(ctx, j, []string{database.JobQueued, database.JobProcessing},
			"state", "progress", "error", "finished_at", "attempts", "worker", "output_prefix")
		if errors.Is(err, database.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v.State, v.StateReason, v.HLS, v.Duration = database.StatePublished, "", string(hls), int(res.Duration+0.5)
		if err := tx.UpdateVideo(ctx, v, false, "state", "state_reason", "hls", "duration"); err != nil {
			return err
		}
		next, err = storyboardJob(ctx, tx, v, res)
		return err
	})
	if err == nil {
		s.QueueAfterCommit(ctx, next)
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
		if n == "" || n != path.Base(n) || n == "." || n == ".." || strings.ContainsAny(n, "\\\x00") || n == job.MasterPlaylist {
			return fmt.Errorf("the result names a file it may not write: %q", n)
		}
	}
	return pipeline.CheckResult(res)
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

// refuse fails the job for good, for the worker attempt e reported: its
// result is not one the server publishes.
func (s *Service) refuse(ctx context.Context, j *database.Job, e job.Event, msg string) error {
	return s.fail(ctx, j, job.Event{Type: job.EventFailed, Final: true, Attempt: e.Attempt, Worker: e.Worker, Error: msg})
}

func (s *Service) fail(ctx context.Context, j *database.Job, e job.Event) error {
	if j.State == database.JobCompleted || j.State == database.JobFailed {
		return nil
	}
	j.Attempts, j.Error, j.Worker = e.Attempt, jobError(e.Error), e.Worker
	if !e.Final {
		j.State = database.JobQueued
		err := s.db.UpdateJob(ctx, j, []string{database.JobQueued, database.JobProcessing}, "state", "attempts", "error", "worker")
		if errors.Is(err, database.ErrNotFound) {
			return nil
		}
		return err
	}
	return s.db.Tx(ctx, func(tx *database.DB) error {
		now := time.Now().UTC()
		j.State, j.FinishedAt = database.JobFailed, &now
		err := tx.UpdateJob(ctx, j, []string{database.JobQueued, database.JobProcessing}, "state", "attempts", "error", "worker", "finished_at")
		if errors.Is(err, database.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if job.Type(j.Type) == job.Storyboard {
			// A video without its storyboard still plays.
			return nil
		}
		v := j.Video
		v.State, v.StateReason = database.StateTranscodingFailed, j.Error
		return tx.UpdateVideo(ctx, v, false, "state", "state_reason")
	})
}
