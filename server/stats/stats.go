// Package stats counts what PeerTube's server statistics show about the
// instance: its users, videos, views, comments, channels and the size of
// its video files. Only what the database truly knows is counted.
package stats

import (
	"context"
	"sync"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
)

// MaxAge is how long the counts are served before they are counted
// again: counting reads every video's transcoding result, which is
// worth sparing, and nobody needs the counts to the second.
const MaxAge = time.Minute

// Stats are the instance's totals.
type Stats struct {
	database.InstanceCounts
	// VideoFilesSize sums the sizes of the stored originals and of the
	// renditions of the last transcodings.
	VideoFilesSize int64
	// DailyActiveChannels, WeeklyActiveChannels and MonthlyActiveChannels
	// count the channels that published a video in the last 1, 7 and 30
	// days, as PeerTube does.
	DailyActiveChannels, WeeklyActiveChannels, MonthlyActiveChannels int
}

// Service counts on request, at most once per MaxAge.
type Service struct {
	db  *database.DB
	now func() time.Time

	// mu is held while counting, so requests that find the counts old
	// wait for one count rather than each making its own.
	mu   sync.Mutex
	at   time.Time
	last Stats
}

// New returns a service counting in db; now is the clock, the wall
// clock when nil.
func New(db *database.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now}
}

// Get returns the counts, counted again when older than MaxAge.
func (s *Service) Get(ctx context.Context) (Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if !s.at.IsZero() && now.Sub(s.at) < MaxAge {
		return s.last, nil
	}
	st, err := s.count(ctx, now)
	if err != nil {
		return Stats{}, problem.Internal(err)
	}
	s.at, s.last = now, st
	return st, nil
}

func (s *Service) count(ctx context.Context, now time.Time) (Stats, error) {
	c, err := s.db.CountInstance(ctx, now.AddDate(0, 0, -1), now.AddDate(0, 0, -7), now.AddDate(0, 0, -30))
	if err != nil {
		return Stats{}, err
	}
	st := Stats{InstanceCounts: c, VideoFilesSize: c.OriginalsSize,
		DailyActiveChannels: c.ActiveChannels[0], WeeklyActiveChannels: c.ActiveChannels[1], MonthlyActiveChannels: c.ActiveChannels[2]}
	err = s.db.EachTranscodingResult(ctx, func(hls string) {
		if res := media.Result(&database.Video{HLS: hls}); res != nil {
			for _, r := range res.Renditions {
				st.VideoFilesSize += r.Size
			}
		}
	})
	return st, err
}
