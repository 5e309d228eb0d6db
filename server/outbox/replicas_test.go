package outbox_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/outbox"
	"cuttle.video/server/servertest"
)

func TestRestartDeliversWhatWasLeft(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		db := openDB(t, b)
		// The receivers hold every request until the first Outbox is
		// gone, so it stops with all of them in flight or waiting.
		var mu sync.Mutex
		held, release := 0, make(chan struct{})
		block := func(_ string, _ int, w http.ResponseWriter) int {
			mu.Lock()
			held++
			mu.Unlock()
			<-release
			return http.StatusAccepted
		}
		var rs []*receiver
		var inboxes []string
		for range 3 {
			r := newReceiver(t, block)
			rs = append(rs, r)
			for i := range 5 {
				inboxes = append(inboxes, r.url("/accounts/u"+strconv.Itoa(i)+"/inbox"))
			}
		}
		// Deferred, so that it runs before the receivers' cleanup.
		defer func() {
			select {
			case <-release:
			default:
				close(release)
			}
		}()
		a := activity("https://video.example/a/restart")

		first := outbox.New(testConfig(), db, testClient(t, true), keys{}, servertest.Quiet())
		enqueue(t, first, db, a, inboxes...)
		stop := start(t, first)
		eventually(t, "the first outbox has requests in flight", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return held > 0
		})
		stop()
		close(release)
		for _, r := range rs {
			if n := len(acceptedAll(r)); n != 0 {
				t.Fatalf("%d activities accepted from a request the stopping outbox cancelled", n)
			}
		}
		if s := stats(t, first); s.Queued != 15 || s.Due != 15 {
			t.Fatalf("after stopping: %+v, want all 15 rows due again", s)
		}

		// The default lease is long: a row the first one kept leased
		// would not come due within the test.
		second := outbox.New(testConfig(), db, testClient(t, true), keys{}, servertest.Quiet())
		start(t, second)
		eventually(t, "the queue is empty", func() bool { return stats(t, second).Queued == 0 })
		for _, r := range rs {
			for i := range 5 {
				path := "/accounts/u" + strconv.Itoa(i) + "/inbox"
				if _, bodies := r.counts(path); len(bodies) != 1 {
					t.Errorf("%s%s accepted %d activities, want 1", r.srv.URL, path, len(bodies))
				}
			}
			r.checkNoBad(t)
		}
	})
}

func acceptedAll(r *receiver) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []string
	for _, bs := range r.accepted {
		all = append(all, bs...)
	}
	return all
}

// Two replicas are two processes: each opens the database itself.
func TestReplicasDeliverOnce(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		url, dir := "", t.TempDir()
		if b == servertest.Postgres {
			url = servertest.CreateDatabase(t)
		}
		open := func() *database.DB {
			db, err := database.Open(context.Background(), url, dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		db1, db2 := open(), open()
		o1 := outbox.New(testConfig(), db1, testClient(t, true), keys{}, servertest.Quiet())
		o2 := outbox.New(testConfig(), db2, testClient(t, true), keys{}, servertest.Quiet())
		// Some receivers fail now and then, so that rows also come back
		// for retries while both replicas claim.
		flaky := func(_ string, n int, _ http.ResponseWriter) int {
			if n == 1 {
				return http.StatusServiceUnavailable
			}
			return http.StatusAccepted
		}
		var rs []*receiver
		var inboxes []string
		for i := range 10 {
			var answer func(string, int, http.ResponseWriter) int
			if i%3 == 0 {
				answer = flaky
			}
			r := newReceiver(t, answer)
			rs = append(rs, r)
			for j := range 20 {
				inboxes = append(inboxes, r.url("/accounts/u"+strconv.Itoa(j)+"/inbox"))
			}
		}
		start(t, o1)
		start(t, o2)
		activities := []outbox.Activity{activity("https://video.example/a/r1"), activity("https://video.example/a/r2")}
		for _, a := range activities {
			if err := o1.Enqueue(context.Background(), db1, a, inboxes); err != nil {
				t.Fatal(err)
			}
		}
		o1.Kick()
		o2.Kick()
		eventually(t, "the queue is empty", func() bool { return stats(t, o2).Queued == 0 })
		for _, r := range rs {
			for j := range 20 {
				path := "/accounts/u" + strconv.Itoa(j) + "/inbox"
				if _, bodies := r.counts(path); len(bodies) != len(activities) ||
					bodies[0] == bodies[1] {
					t.Errorf("%s%s accepted %d activities, want each of the %d once", r.srv.URL, path, len(bodies), len(activities))
				}
			}
			r.checkNoBad(t)
		}
	})
}

func TestForbiddenAddressIsDropped(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		db := openDB(t, b)
		// The production policy: loopback is not a remote server.
		o := outbox.New(testConfig(), db, testClient(t, false), keys{}, servertest.Quiet())
		r := newReceiver(t, nil)
		enqueue(t, o, db, activity("https://video.example/a/forbidden"), r.url("/inbox"), r.url("/other/inbox"))
		start(t, o)
		eventually(t, "the deliveries are dropped", func() bool { return stats(t, o).Queued == 0 })
		if n := r.total(); n != 0 {
			t.Errorf("the loopback receiver got %d requests, want none", n)
		}
		if s := stats(t, o); s.PausedHosts != 0 {
			t.Errorf("stats %+v: a refused address is not a failing host", s)
		}
	})
}

func TestRowOfADeadSenderIsSentAfterItsLease(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		db := openDB(t, b)
		o := outbox.New(testConfig(), db, testClient(t, true), keys{}, servertest.Quiet())
		r := newReceiver(t, nil)
		enqueue(t, o, db, activity("https://video.example/a/lease"), r.url("/inbox"))
		// A replica claims the row and dies before sending it.
		now := time.Now()
		claimed, err := db.ClaimDeliveries(context.Background(), now, now.Add(300*time.Millisecond), 10, 10, nil)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim = %d rows, %v", len(claimed), err)
		}
		start(t, o)
		o.Kick()
		eventually(t, "the queue is empty", func() bool { return stats(t, o).Queued == 0 })
		if _, bodies := r.counts("/inbox"); len(bodies) != 1 {
			t.Errorf("%d activities accepted, want 1", len(bodies))
		}
	})
}
