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

// A wrong guess made before the flood does not cost a client its turn
// during it; one made during the flood does.
func TestGuessesForgiveTyposBeforeAnAttack(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	g := NewGuesses(10, 5, time.Minute, func() time.Time { return now })
	g.Fail("video", "viewer")
	for i := range 5 {
		g.Fail("video", string(rune('a'+i)))
	}
	if blocked, _ := g.Blocked("video", "viewer"); blocked {
		t.Fatal("a typo before the attack blocks the viewer during it")
	}
	g.Fail("video", "viewer")
	if blocked, _ := g.Blocked("video", "viewer"); !blocked {
		t.Fatal("a wrong guess during the attack leaves the client more")
	}
	if blocked, _ := g.Blocked("video", "newcomer"); blocked {
		t.Fatal("a client that never failed is refused during the attack")
	}
}
