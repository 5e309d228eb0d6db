package engagement

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/deadline"
	"cuttle.video/server/problem"
)

const (
	// ViewWindow is how long one viewer's views of one video count once:
	// reloading the page, or a script reloading it, adds nothing.
	ViewWindow = time.Hour
	// perAddress bounds the viewers one network address counts as per
	// video and window. A household or an office behind one address has
	// several; a script that varies its browser signature gets no more.
	perAddress = 10
	// flushDelay gathers the views counted meanwhile into one write.
	flushDelay = 10 * time.Second
)

// Seen remembers, for a time, keys already counted. The in-memory one
// serves one server; with Redis, replicas share it.
type Seen interface {
	// First records key for ttl and tells whether it was not there.
	First(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Add increments the counter key, which expires ttl after its first
	// increment, and returns its new value.
	Add(ctx context.Context, key string, ttl time.Duration) (int64, error)
}

// Viewer identifies who watches: a logged-in user wherever they are,
// else an address and a browser signature.
type Viewer struct {
	User      *database.User
	Address   string
	UserAgent string
}

func (w Viewer) fingerprint() string {
	if w.User != nil {
		return "u" + strconv.FormatInt(w.User.ID, 10)
	}
	sum := sha256.Sum256([]byte(w.Address + "\x00" + w.UserAgent))
	return "a" + hex.EncodeToString(sum[:12])
}

// Views counts views. Counted views wait in memory for flushDelay and
// are then added to the videos' rows in one transaction; the timer runs
// only while views are waiting.
type Views struct {
	db   *database.DB
	seen Seen
	now  func() time.Time
	log  *slog.Logger

	flush   *deadline.Timer
	mu      sync.Mutex
	pending map[int64]int64
	// written is told of the videos a flush raised (see Hooks).
	written func(ctx context.Context, videoIDs []int64)
}

func newViews(db *database.DB, seen Seen, now func() time.Time, log *slog.Logger) *Views {
	vs := &Views{db: db, seen: seen, now: now, log: log, pending: map[int64]int64{}}
	vs.flush = deadline.New(nil, vs.flushLater)
	return vs
}

// View records that w watches a video the viewer may see, counting it
// when w has not been counted for that video within ViewWindow.
func (s *Service) View(ctx context.Context, w Viewer, ref string) error {
	v, err := s.videos.Get(ctx, w.User, ref)
	if err != nil {
		return err
	}
	if v.State != database.StatePublished {
		return nil
	}
	// A remote video's views are counted by its origin, which the hook
	// tells; its count comes back from there.
	counted, err := s.Views.count(ctx, v.ID, w, !v.Remote)
	if err != nil {
		return problem.Internal(err)
	}
	if counted && s.hooks.Viewed != nil {
		s.hooks.Viewed(context.WithoutCancel(ctx), v)
	}
	return nil
}

// RemoteView counts a view another server reports of a local video,
// once per report (key, its activity's id) within ViewWindow: a report
// delivered twice counts once.
func (s *Service) RemoteView(ctx context.Context, videoID int64, key string) error {
	first, err := s.Views.seen.First(ctx, "views-remote:"+strconv.FormatInt(videoID, 10)+":"+key, ViewWindow)
	if err != nil {
		return fmt.Errorf("engagement: remote view: %w", err)
	}
	if first {
		s.Views.add(videoID)
	}
	return nil
}

// count applies the once-per-window and per-address rules and tells
// whether the view counted; keep adds it to the video's count.
func (vs *Views) count(ctx context.Context, videoID int64, w Viewer, keep bool) (bool, error) {
	id := strconv.FormatInt(videoID, 10)
	first, err := vs.seen.First(ctx, "views:"+id+":"+w.fingerprint(), ViewWindow)
	if err != nil || !first {
		return false, err
	}
	if w.User == nil {
		n, err := vs.seen.Add(ctx, "views-addr:"+id+":"+w.Address, ViewWindow)
		if err != nil || n > perAddress {
			return false, err
		}
	}
	if keep {
		vs.add(videoID)
	}
	return true, nil
}

func (vs *Views) add(videoID int64) {
	vs.mu.Lock()
	vs.pending[videoID]++
	vs.mu.Unlock()
	vs.flush.Within(flushDelay)
}

// Pending is the number of a video's counted views not written yet, for
// answers that should already show them.
func (vs *Views) Pending(videoID int64) int64 {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return vs.pending[videoID]
}

// flushLater is the timer's run. A flush cut short by Close is not lost:
// Close writes what is pending itself.
func (vs *Views) flushLater(ctx context.Context) {
	run, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := vs.Flush(run); err != nil && ctx.Err() == nil {
		vs.log.Warn("write views; will retry", "err", err)
	}
}

// Flush writes the pending views now. On failure they stay pending and
// a later flush is scheduled.
func (vs *Views) Flush(ctx context.Context) error {
	vs.mu.Lock()
	batch := vs.pending
	vs.pending = map[int64]int64{}
	vs.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	// A view counts on the day it is written, normally flushDelay after it.
	err := vs.db.AddViews(ctx, vs.now(), batch)
	if err == nil && vs.written != nil {
		ids := make([]int64, 0, len(batch))
		for id := range batch {
			ids = append(ids, id)
		}
		vs.written(context.WithoutCancel(ctx), ids)
	}
	if err != nil {
		vs.mu.Lock()
		for id, n := range batch {
			vs.pending[id] += n
		}
		vs.mu.Unlock()
		vs.flush.Within(flushDelay)
	}
	return err
}

// Close stops the timer, waits for a flush in progress and writes what
// is pending.
func (vs *Views) Close() {
	vs.flush.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := vs.Flush(ctx); err != nil {
		vs.log.Error("write views on shutdown; they are lost", "err", err)
	}
}
