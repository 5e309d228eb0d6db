package federation

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"cuttle.video/server/database"
	"cuttle.video/server/vocab"
)

// Views: a view of a remote video counted here is reported to its origin
// (PeerTube's View, sent by the instance), which counts it once; a local
// video's new count reaches the servers that have it with an Update, at
// most once per viewsUpdateEvery, so a popular video does not send its
// followers an Update for every viewer.

// viewsUpdateEvery spaces the Updates that carry a video's views.
const viewsUpdateEvery = 10 * time.Minute

// viewCounts remembers when each video's views were last sent.
type viewCounts struct {
	mu   sync.Mutex
	sent map[int64]time.Time
	// count counts a view reported by another server (engagement's
	// RemoteView, which app sets).
	count func(ctx context.Context, videoID int64, key string) error
}

// due says a video's views may be sent now, and records that they are.
func (vc *viewCounts) due(videoID int64, now time.Time) bool {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if last, ok := vc.sent[videoID]; ok && now.Sub(last) < viewsUpdateEvery {
		return false
	}
	if len(vc.sent) >= 10_000 {
		for id, at := range vc.sent {
			if now.Sub(at) >= viewsUpdateEvery {
				delete(vc.sent, id)
			}
		}
	}
	vc.sent[videoID] = now
	return true
}

// CountViewsWith sets how views other servers report are counted. Set it
// before the server serves.
func (s *Service) CountViewsWith(count func(ctx context.Context, videoID int64, key string) error) {
	s.views.count = count
}

// Viewed reports a view of a remote video to its origin.
func (s *Service) Viewed(ctx context.Context, v *database.Video) error {
	if !v.Remote {
		return nil
	}
	inbox, err := s.originInbox(ctx, v)
	if err != nil {
		return err
	}
	inst := s.actors.Instance()
	key := strconv.FormatInt(v.ID, 10) + "/" + uuid.NewString()
	return s.send(ctx, inst, vocab.View(inst.ID, v.URL, key), []string{inbox})
}

// ViewsWritten sends the new view counts of local videos other servers
// have, each at most once per viewsUpdateEvery.
func (s *Service) ViewsWritten(ctx context.Context, videoIDs []int64) error {
	for _, id := range videoIDs {
		if !s.views.due(id, time.Now()) {
			continue
		}
		if err := s.tellCounts(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// receiveView counts a view another server reports of a public local
// video, once per report.
func (s *Service) receiveView(ctx context.Context, a vocab.Activity) error {
	v, comment, err := s.localTarget(ctx, a.ObjectID())
	if err != nil {
		return err
	}
	if comment != 0 || !federates(v) || s.views.count == nil {
		return nil
	}
	return s.views.count(ctx, v.ID, a.ID)
}
