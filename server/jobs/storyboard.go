package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/storyboard"
)

// storyboardKind is the kind of the jobs that draw a video's storyboard.
// A storyboard job follows every finished transcoding of a video with a
// picture: it draws the sprite sheet from the smallest rendition that is
// at least as large as a sprite, so the worker fetches and decodes
// little. It is queued like a transcoding job (recorded in the database,
// then put on the queue; runners take both types) and its failure leaves
// the video as it is, without a storyboard.
type storyboardKind struct{}

// storyboardPlan picks the rendition a storyboard is drawn from and the
// sheet's layout; false when the video gets no storyboard (a sound, or
// one too short).
func storyboardPlan(res *job.VODHLSResult) (job.RenditionResult, job.SpriteLayout, bool) {
	var pictures []job.RenditionResult
	for _, r := range res.Renditions {
		if !r.AudioOnly() && r.Segments > 0 {
			pictures = append(pictures, r)
		}
	}
	if len(pictures) == 0 {
		return job.RenditionResult{}, job.SpriteLayout{}, false
	}
	slices.SortStableFunc(pictures, func(a, b job.RenditionResult) int { return cmp.Compare(a.Height*a.Width, b.Height*b.Width) })
	largest := pictures[len(pictures)-1]
	l, ok := storyboard.Plan(res.Duration, largest.Width, largest.Height)
	if !ok {
		return job.RenditionResult{}, job.SpriteLayout{}, false
	}
	for _, r := range pictures {
		if r.Width >= l.SpriteWidth && r.Height >= l.SpriteHeight {
			return r, l, true
		}
	}
	return largest, l, true
}

// storyboardJob records, in tx, the storyboard job of a video that is
// being published from res; nil when the video gets no storyboard.
func storyboardJob(ctx context.Context, tx *database.DB, v *database.Video, res *job.VODHLSResult) (*database.Job, error) {
	if _, _, ok := storyboardPlan(res); !ok {
		return nil, nil
	}
	id := uuid.NewString()
	j := &database.Job{ID: id, Type: string(job.Storyboard), VideoID: v.ID, State: database.JobQueued,
		OutputPrefix: media.StagingPrefix(v.UUID, id)}
	if err := tx.CreateJob(ctx, j); err != nil {
		return nil, err
	}
	j.Video = v
	return j, nil
}

// maxStoryboardBytes bounds the sheet a worker may write; the largest
// layout storyboard.Plan makes is a fraction of it.
const maxStoryboardBytes = 32 << 20

// payload presigns the files of the chosen rendition for
// reading and grants writing the sheet under prefix, and nothing else.
func (storyboardKind) payload(ctx context.Context, s *Service, v *database.Video, prefix string) (any, error) {
	var res job.VODHLSResult
	if err := json.Unmarshal([]byte(v.HLS), &res); err != nil {
		return nil, fmt.Errorf("jobs: storyboard of video %s: no renditions: %w", v.UUID, err)
	}
	r, l, ok := storyboardPlan(&res)
	if !ok {
		return nil, fmt.Errorf("jobs: video %s gets no storyboard", v.UUID)
	}
	p := &job.StoryboardPayload{Duration: res.Duration, Layout: l, File: media.StoryboardFile}
	names := []string{r.File}
	if res.Legacy() {
		names = job.LegacyFiles(r)
	}
	dir := media.MediaPrefix(v)
	for _, name := range names {
		u, err := s.media.PresignGet(ctx, dir+name, s.cfg.URLTTL)
		if err != nil {
			return nil, fmt.Errorf("jobs: presign %s: %w", name, err)
		}
		p.InputURLs = append(p.InputURLs, u)
	}
	var err error
	types := []string{storage.ContentTypeFor(media.StoryboardFile)}
	if p.Upload, err = s.media.GrantPut(ctx, prefix, types, s.cfg.URLTTL, maxStoryboardBytes); err != nil {
		return nil, fmt.Errorf("jobs: grant upload of %s: %w", media.StoryboardFile, err)
	}
	return p, nil
}

// lateResults is true: a sheet drawn by an attempt given up on is as
// good as any, and publishing it touches nothing else of the video.
func (storyboardKind) lateResults() bool { return true }

// complete records a finished storyboard, moving the sheet first if the
// video's privacy changed while the job ran.
func (storyboardKind) complete(ctx context.Context, s *Service, j *database.Job, e job.Event) error {
	var res job.StoryboardResult
	if err := json.Unmarshal(e.Result, &res); err != nil {
		return s.refuse(ctx, j, e, fmt.Sprintf("unreadable result: %v", err))
	}
	l := res.Layout
	if res.File != media.StoryboardFile || l.SpriteWidth <= 0 || l.SpriteHeight <= 0 || l.SpriteDuration <= 0 ||
		l.Columns <= 0 || l.Rows <= 0 || l.Sprites <= 0 || l.Sprites > l.Columns*l.Rows {
		return s.refuse(ctx, j, e, fmt.Sprintf("the result names file %q with layout %+v", res.File, l))
	}
	return media.WithFilesLocked(ctx, s.db, s.media, j.VideoID, func(v *database.Video) error {
		prefix := media.MediaPrefix(v)
		if err := media.Gather(ctx, s.media, j.OutputPrefix, prefix, []string{res.File}); err != nil {
			return err
		}
		if _, err := s.media.Stat(ctx, prefix+res.File); err != nil {
			return s.refuse(ctx, j, e, "the storyboard is missing from media storage")
		}
		return s.db.Tx(ctx, func(tx *database.DB) error {
			if done, err := markCompleted(ctx, tx, j, e, prefix); !done || err != nil {
				return err
			}
			return tx.PutStoryboard(ctx, &database.Storyboard{
				VideoID: v.ID, File: res.File, SpriteWidth: l.SpriteWidth, SpriteHeight: l.SpriteHeight,
				SpriteDuration: l.SpriteDuration, Sprites: l.Sprites, Columns: l.Columns, Rows: l.Rows,
			})
		})
	})
}

// failed leaves the video as it is: without its storyboard, it still
// plays.
func (storyboardKind) failed(context.Context, *database.DB, *database.Job) error { return nil }

// retried leaves the video as it is while its storyboard is drawn again.
func (storyboardKind) retried(context.Context, *database.DB, *database.Job) error { return nil }

// Storyboard returns a video's storyboard, nil when it has none.
func (s *Service) Storyboard(ctx context.Context, v *database.Video) (*database.Storyboard, error) {
	sb, err := s.db.StoryboardOf(ctx, v.ID)
	if errors.Is(err, database.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, problem.Internal(err)
	}
	return sb, nil
}
