package uploads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/videos"
)

// Spool is a legacy upload's file, streamed to disk before its metadata
// is known (multipart fields may come after the file).
type Spool struct {
	Path string
	Size int64
}

// Remove deletes the spool file; it is safe to call after Finish.
func (sp *Spool) Remove() {
	if sp != nil {
		_ = os.Remove(sp.Path)
	}
}

// Spool streams r to a new file, refusing it once it passes the maximum
// file size or the user's quota.
func (s *Service) Spool(ctx context.Context, u *database.User, r io.Reader) (*Spool, error) {
	if err := s.checkQuota(ctx, u, 0, true); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(s.cfg.Dir, spoolPrefix+"*")
	if err != nil {
		return nil, problem.Internal(fmt.Errorf("uploads: create spool file: %w", err))
	}
	sp := &Spool{Path: f.Name()}
	n, err := io.Copy(f, io.LimitReader(r, s.cfg.MaxFileSize+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	sp.Size = n
	if err != nil {
		sp.Remove()
		return nil, problem.BadRequest("the upload was interrupted after %d bytes", n).WithErr(err)
	}
	if n > s.cfg.MaxFileSize {
		sp.Remove()
		return nil, maxSizeProblem(s.cfg.MaxFileSize)
	}
	if n == 0 {
		sp.Remove()
		return nil, problem.Invalid(map[string]string{"videofile": "is empty"})
	}
	return sp, nil
}

// FinishLegacy turns a spooled file into a video. On any error the spool
// file is removed and no video is left behind.
func (s *Service) FinishLegacy(ctx context.Context, u *database.User, m *videos.Metadata, sp *Spool) (*database.Video, error) {
	defer sp.Remove()
	if err := s.videos.ValidateNew(ctx, u, m); err != nil {
		return nil, err
	}
	if err := s.checkQuota(ctx, u, sp.Size, true); err != nil {
		return nil, err
	}
	res, err := s.probeOriginal(ctx, sp.Path)
	if err != nil {
		return nil, err
	}
	v, err := s.videos.Create(ctx, u, m, nil)
	if err != nil {
		return nil, err
	}
	o := videos.Original{Path: sp.Path, Size: sp.Size, Probe: res}
	if err := s.videos.AttachOriginal(ctx, v, o); err != nil {
		if derr := s.videos.Delete(context.WithoutCancel(ctx), u, v.UUID); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, err
	}
	if err := s.transcoder.Transcode(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// formOverhead is generous room for the fields and boundaries around the
// file in a multipart body.
const formOverhead = 1 << 20

// PrecheckBody refuses a legacy upload from its Content-Length alone when
// the file it carries cannot fit, before a byte is written to disk.
func (s *Service) PrecheckBody(ctx context.Context, u *database.User, bodySize int64) error {
	if bodySize <= 0 {
		return nil
	}
	if bodySize-formOverhead > s.cfg.MaxFileSize {
		return maxSizeProblem(s.cfg.MaxFileSize)
	}
	return s.checkQuota(ctx, u, max(bodySize-formOverhead, 0), true)
}
