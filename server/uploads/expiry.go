package uploads

import (
	"context"
	"time"
)

// Abandoned uploads are removed by one timer armed for the earliest
// expiry, not by a polling loop: an idle server does no work at all.

// Start removes uploads that expired while the server was down and arms
// the timer for the next expiry.
func (s *Service) Start(ctx context.Context) error {
	return s.sweep(ctx)
}

// Close stops the timer and waits for a running sweep.
func (s *Service) Close() { s.expiry.Close() }

// sweepLater is the timer's run; an error after Close is only the
// cancellation.
func (s *Service) sweepLater(ctx context.Context) {
	run, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.sweep(run); err != nil && ctx.Err() == nil {
		s.log.Error("expire uploads", "err", err)
	}
}

// sweep removes every expired upload, then re-arms the timer.
func (s *Service) sweep(ctx context.Context) error {
	expired, err := s.db.ExpiredUploads(ctx, s.now())
	if err != nil {
		return err
	}
	for i := range expired {
		up := &expired[i]
		unlock := s.locks.lock(up.ID)
		err := s.discard(ctx, up)
		unlock()
		if err != nil {
			return err
		}
		s.log.InfoContext(ctx, "removed abandoned upload", "upload", up.ID, "size", up.Size)
	}
	next, ok, err := s.db.NextUploadExpiry(ctx)
	if err != nil {
		return err
	}
	if ok {
		s.expiry.By(next)
	}
	return nil
}
