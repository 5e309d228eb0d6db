package uploads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"cuttle.video/server/auth"
	"cuttle.video/server/database"
	"cuttle.video/server/images"
	"cuttle.video/server/problem"
	"cuttle.video/server/videos"
)

// Progress is the state of a resumable upload after a request.
type Progress struct {
	// Stored is the number of bytes received so far, from offset 0.
	Stored int64
	Total  int64
	// Video is set once the last byte arrived and the video exists.
	Video *database.Video
}

func (s *Service) partPath(id string) string { return filepath.Join(s.cfg.Dir, "part-"+id) }

// stored is the truth about progress: the length of the part file.
func (s *Service) stored(id string) (int64, error) {
	fi, err := os.Stat(s.partPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("uploads: stat part: %w", err)
	}
	return fi.Size(), nil
}

// Init opens a resumable upload after checking the metadata, the size and
// the quota, so a creator learns of a refusal before sending any byte.
// The images chosen with it (nil for none) are kept until it completes;
// the caller removes what is left of chosen.
func (s *Service) Init(ctx context.Context, u *database.User, m *videos.Metadata, size int64, contentType string, chosen *images.Set) (*database.Upload, error) {
	if size <= 0 {
		return nil, problem.Invalid(map[string]string{"X-Upload-Content-Length": "must be a positive number of bytes"})
	}
	if !acceptableType(contentType) {
		return nil, problem.New(http.StatusUnsupportedMediaType, "%q is not a video or audio type", contentType)
	}
	if m.Filename == "" {
		return nil, problem.Invalid(map[string]string{"filename": "is required"})
	}
	if err := s.videos.ValidateNew(ctx, u, m); err != nil {
		return nil, err
	}
	if size > s.cfg.MaxFileSize {
		return nil, maxSizeProblem(s.cfg.MaxFileSize)
	}
	if err := s.checkQuota(ctx, u, size, true); err != nil {
		return nil, err
	}
	meta, err := json.Marshal(m)
	if err != nil {
		return nil, problem.Internal(err)
	}
	up := &database.Upload{
		ID: auth.NewToken()[:32], UserID: u.ID, Filename: m.Filename, ContentType: contentType,
		Size: size, Metadata: string(meta), ExpiresAt: s.now().Add(s.cfg.Expiry).UTC(),
	}
	if err := s.images.Keep(chosen, up.ID); err != nil {
		return nil, problem.Internal(err)
	}
	if err := s.db.CreateUpload(ctx, up); err != nil {
		return nil, problem.Internal(errors.Join(err, s.images.Forget(up.ID)))
	}
	s.expiry.By(up.ExpiresAt)
	return up, nil
}

// load finds an upload of u's, holding its lock; the caller must unlock.
func (s *Service) load(ctx context.Context, u *database.User, id string) (*database.Upload, func(), error) {
	unlock := s.locks.lock(id)
	up, err := s.db.UploadByID(ctx, id)
	if err == nil && up.UserID != u.ID {
		err = database.ErrNotFound
	}
	if err != nil {
		unlock()
		if errors.Is(err, database.ErrNotFound) {
			return nil, nil, problem.NotFound("upload")
		}
		return nil, nil, problem.Internal(err)
	}
	return up, unlock, nil
}

func checkTotal(up *database.Upload, total int64) error {
	if total != up.Size {
		return problem.BadRequest("Content-Range total %d differs from the %d bytes announced at init", total, up.Size)
	}
	return nil
}

// Status reports what is stored; when everything is, it completes the
// upload (a client whose last chunk's answer was lost learns the result).
func (s *Service) Status(ctx context.Context, u *database.User, id string, total int64) (*Progress, error) {
	up, unlock, err := s.load(ctx, u, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := checkTotal(up, total); err != nil {
		return nil, err
	}
	return s.progress(ctx, u, up)
}

func (s *Service) progress(ctx context.Context, u *database.User, up *database.Upload) (*Progress, error) {
	n, err := s.stored(up.ID)
	if err != nil {
		return nil, problem.Internal(err)
	}
	p := &Progress{Stored: n, Total: up.Size}
	if n == up.Size || up.VideoID != 0 {
		p.Stored = up.Size
		p.Video, err = s.complete(ctx, u, up)
		return p, err
	}
	return p, nil
}

// WriteChunk appends body, which holds bytes [start, end] of the file.
// A chunk that does not start where the stored bytes end is refused
// before anything is written, so a confused client cannot damage them.
// Bytes of an interrupted chunk are kept: the client resumes after them.
func (s *Service) WriteChunk(ctx context.Context, u *database.User, id string, start, end, total int64, body io.Reader) (*Progress, error) {
	up, unlock, err := s.load(ctx, u, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := checkTotal(up, total); err != nil {
		return nil, err
	}
	n, err := s.stored(id)
	if err != nil {
		return nil, problem.Internal(err)
	}
	if start != n || up.VideoID != 0 {
		p := problem.Conflict("this chunk starts at byte %d but %d bytes are stored: resume from byte %d", start, n, n)
		if n > 0 {
			p = p.WithHeader("Range", fmt.Sprintf("bytes=0-%d", n-1))
		}
		return nil, p
	}
	f, err := os.OpenFile(s.partPath(id), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, problem.Internal(fmt.Errorf("uploads: open part: %w", err))
	}
	want := end - start + 1
	written, copyErr := io.Copy(f, io.LimitReader(body, want))
	// Sync so that what we acknowledge survives a power cut, not only a
	// killed process.
	syncErr := f.Sync()
	if err := errors.Join(syncErr, f.Close()); err != nil {
		return nil, problem.Internal(fmt.Errorf("uploads: write part: %w", err))
	}
	if err := s.db.TouchUpload(ctx, id, s.now().Add(s.cfg.Expiry)); err != nil {
		s.log.WarnContext(ctx, "extend upload expiry", "upload", id, "err", err)
	}
	if copyErr != nil || written < want {
		return nil, problem.BadRequest("the chunk was cut after %d of %d bytes; %d bytes are stored", written, want, n+written).
			WithHeader("Range", fmt.Sprintf("bytes=0-%d", n+written-1)).WithErr(copyErr)
	}
	return s.progress(ctx, u, up)
}

// complete turns the finished file into a video (see finishUpload). It
// is idempotent: when a previous attempt stopped half-way (the row
// exists, the file may or may not have moved) it finishes that attempt
// instead of starting another.
func (s *Service) complete(ctx context.Context, u *database.User, up *database.Upload) (_ *database.Video, err error) {
	defer func() {
		if err == nil {
			// The upload is done with: its row is gone, and so are its images.
			if ferr := s.images.Forget(up.ID); ferr != nil {
				s.log.WarnContext(ctx, "drop images of a finished upload", "upload", up.ID, "err", ferr)
			}
		}
	}()
	var m videos.Metadata
	if err := json.Unmarshal([]byte(up.Metadata), &m); err != nil {
		return nil, problem.Internal(fmt.Errorf("uploads: decode metadata of %s: %w", up.ID, err))
	}
	f := finished{path: s.partPath(up.ID), size: up.Size, uploadID: up.ID, chosen: s.images.Kept(up.ID)}
	if up.VideoID != 0 {
		v, stored, err := s.earlierAttempt(ctx, up)
		if err != nil {
			return nil, problem.Internal(err)
		}
		switch {
		case stored:
			return v, s.promiseTranscode(ctx, v, up.ID)
		case v.OriginalProbe == "":
			// A row recorded by an older release, before the probe was
			// recorded with it: start afresh from the bytes.
			if err := s.unmake(ctx, v); err != nil {
				return nil, problem.Internal(err)
			}
		default:
			f.video = v
		}
	}
	v, err := s.finishUpload(ctx, u, &m, f, func(tx *database.DB, v *database.Video) error {
		return tx.AttachUploadVideo(ctx, up.ID, v.ID)
	})
	if errors.As(err, new(refusedFile)) {
		// The complete file cannot become a video: drop it so nothing
		// lingers.
		if ferr := s.discard(ctx, up); ferr != nil {
			s.log.ErrorContext(ctx, "discard refused upload", "upload", up.ID, "err", ferr)
		}
	}
	return v, err
}

// earlierAttempt loads the video row of an upload whose finish was
// interrupted, and tells whether its original reached media storage.
func (s *Service) earlierAttempt(ctx context.Context, up *database.Upload) (*database.Video, bool, error) {
	v, err := s.db.VideoByID(ctx, up.VideoID)
	if err != nil {
		return nil, false, err
	}
	stored, err := s.videos.OriginalStored(ctx, v.OriginalKey)
	return v, stored, err
}

// discard removes an upload's file and row, and the video row of a
// finish that stopped before the original was stored. A finish that
// stopped after it is completed instead: the video is transcoded.
func (s *Service) discard(ctx context.Context, up *database.Upload) error {
	if err := os.Remove(s.partPath(up.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("uploads: remove part: %w", err)
	}
	if err := s.images.Forget(up.ID); err != nil {
		return err
	}
	if up.VideoID != 0 {
		v, stored, err := s.earlierAttempt(ctx, up)
		switch {
		case errors.Is(err, database.ErrNotFound):
		case err != nil:
			return err
		case stored:
			return s.promiseTranscode(ctx, v, up.ID)
		default:
			if err := s.db.DeleteVideo(ctx, v.ID); err != nil && !errors.Is(err, database.ErrNotFound) {
				return err
			}
		}
	}
	return s.db.DeleteUpload(ctx, up.ID)
}

// Cancel abandons an upload and removes its bytes.
func (s *Service) Cancel(ctx context.Context, u *database.User, id string) error {
	up, unlock, err := s.load(ctx, u, id)
	if err != nil {
		return err
	}
	defer unlock()
	if up.VideoID != 0 {
		return problem.Conflict("this upload is complete; delete the video instead")
	}
	if err := s.discard(ctx, up); err != nil {
		return problem.Internal(err)
	}
	return nil
}

// acceptableType screens the type a client declares; it only catches
// honest mistakes, the file's bytes are probed once it has arrived.
func acceptableType(ct string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
	mt = strings.TrimSpace(mt)
	return mt == "" || strings.HasPrefix(mt, "video/") || strings.HasPrefix(mt, "audio/") ||
		mt == "application/octet-stream" || mt == "application/ogg" || mt == "application/mp4" ||
		mt == "application/x-matroska"
}

// RangeHeader renders stored bytes as the Range header of a 308 answer;
// empty when nothing is stored yet.
func RangeHeader(stored int64) string {
	if stored == 0 {
		return ""
	}
	return "bytes=0-" + strconv.FormatInt(stored-1, 10)
}
