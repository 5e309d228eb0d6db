package engagement

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// seenContract is what every Seen must do.
func seenContract(t *testing.T, s Seen, prefix string, wait func(time.Duration)) {
	ctx := context.Background()
	// Redis keeps millisecond expiries; waiting for one is the test.
	ttl := 500 * time.Millisecond
	first, err := s.First(ctx, prefix+"a", ttl)
	if err != nil || !first {
		t.Fatalf("first sight: %v, %v", first, err)
	}
	for range 3 {
		if again, err := s.First(ctx, prefix+"a", ttl); err != nil || again {
			t.Fatalf("second sight: %v, %v", again, err)
		}
	}
	if other, _ := s.First(ctx, prefix+"b", ttl); !other {
		t.Fatal("another key was taken for the first one")
	}
	for want := int64(1); want <= 3; want++ {
		if n, err := s.Add(ctx, prefix+"count", ttl); err != nil || n != want {
			t.Fatalf("count = %d, %v; want %d", n, err, want)
		}
	}
	wait(ttl + 100*time.Millisecond)
	if first, _ := s.First(ctx, prefix+"a", ttl); !first {
		t.Fatal("a key outlived its time")
	}
	if n, _ := s.Add(ctx, prefix+"count", ttl); n != 1 {
		t.Fatalf("an expired counter went on at %d", n)
	}
}

func TestMemorySeen(t *testing.T) {
	clock := &testClock{now: time.Unix(1_800_000_000, 0)}
	m := NewMemorySeen(clock.Now)
	seenContract(t, m, "", clock.Advance)
	// Expired keys do not stay in memory.
	for i := range 2000 {
		_, _ = m.First(context.Background(), "k"+strconv.Itoa(i), time.Minute)
	}
	clock.Advance(2 * time.Minute)
	_, _ = m.First(context.Background(), "last", time.Minute)
	if n := len(m.keys); n > 10 {
		t.Fatalf("%d keys kept after they expired", n)
	}
}

func TestRedisSeen(t *testing.T) {
	url := os.Getenv("CUTTLE_TEST_REDIS_URL")
	if url == "" {
		if os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("CUTTLE_TEST_REDIS_URL is not set")
		}
		t.Skip("CUTTLE_TEST_REDIS_URL is not set; run through make test")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opt)
	defer client.Close()
	prefix := "test-seen-" + time.Now().Format("150405.000000000") + ":"
	t.Cleanup(func() {
		keys, _ := client.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			client.Del(context.Background(), keys...)
		}
	})
	seenContract(t, NewRedisSeen(client, prefix), "", time.Sleep)
}
