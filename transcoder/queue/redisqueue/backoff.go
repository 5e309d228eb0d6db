package redisqueue

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = 5 * time.Second
)

// backoff spaces out retries after failures: doubling from firstBackoff
// up to maxBackoff, so an outage of Redis costs a request every few
// seconds and recovery is noticed within as long.
type backoff struct{ next time.Duration }

func (b *backoff) delay() time.Duration {
	d := max(b.next, firstBackoff)
	b.next = min(2*d, maxBackoff)
	return d
}

func (b *backoff) reset() { b.next = 0 }

// wait sleeps for the next delay, or until ctx ends.
func (b *backoff) wait(ctx context.Context) error {
	return sleep(ctx, b.delay())
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// groupLost tells whether err says a stream or its consumer group is
// gone: Redis restarted without persistence, or the keys were deleted.
// Blocked reads learn it as UNBLOCKED (the stream key, or the group, "no
// longer exists"), later calls as NOGROUP.
func groupLost(err error) bool {
	return redis.HasErrorPrefix(err, "NOGROUP") ||
		redis.HasErrorPrefix(err, "UNBLOCKED") && strings.Contains(err.Error(), "no longer exists")
}
