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
func (s *Service) Close() {
	s.sweepMu.Lock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	s.sweepMu.Unlock()
	s.sweeping.Wait()
}

// schedule makes sure a sweep happens no later than at.
func (s *Service) schedule(at time.Time) {
	s.sweepMu.Lock()
	defer s.sweepMu.Unlock()
	if s.closed || (s.timer != nil && !s.nextSweep.IsZero() && !at.Before(s.nextSweep)) {
		return
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	s.nextSweep = at
	s.timer = time.AfterFunc(at.Sub(s.now()), func() {
		s.sweepMu.Lock()
		if s.closed {
			s.sweepMu.Unlock()
			return
		}
		s.nextSweep = time.Time{}
		s.sweeping.Add(1)
		s.sweepMu.Unlock()
		defer s.sweeping.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.sweep(ctx); err != nil {
			s.log.Error("expire uploads", "err", err)
		}
	})
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
		s.schedule(next)
	}
	return nil
}
