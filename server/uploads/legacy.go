package uploads

import (
	"context"
	"fmt"
	"io"
	"os"

	"cuttle.video/server/database"
	"cuttle.video/server/images"
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

// FinishLegacy turns a spooled file into a video (see finishUpload), with
// the images chosen (nil for none) sent along. The spool file is removed
// in any case; the caller removes chosen.
func (s *Service) FinishLegacy(ctx context.Context, u *database.User, m *videos.Metadata, sp *Spool, chosen *images.Set) (*database.Video, error) {
	defer sp.Remove()
	if err := s.checkQuota(ctx, u, sp.Size, true); err != nil {
		return nil, err
	}
	return s.finishUpload(ctx, u, m, finished{path: sp.Path, size: sp.Size, chosen: chosen}, nil)
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
