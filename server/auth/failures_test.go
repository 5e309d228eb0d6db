package auth

import (
	"testing"
	"time"
)

func TestLimiterCountsFailures(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewLimiter(3, time.Minute, func() time.Time { return now })
	for range 10 {
		if blocked, _ := l.Blocked("k"); blocked {
			t.Fatal("asking counts as an attempt")
		}
	}
	for range 3 {
		l.Fail("k")
	}
	blocked, wait := l.Blocked("k")
	if !blocked || wait != time.Minute {
		t.Fatalf("after 3 failures: blocked %v, wait %v", blocked, wait)
	}
	if blocked, _ := l.Blocked("other"); blocked {
		t.Fatal("keys share their counts")
	}
	now = now.Add(time.Minute)
	if blocked, _ := l.Blocked("k"); blocked {
		t.Fatal("still blocked once the window ended")
	}
}
