package outbox_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/outbox"
	"cuttle.video/server/servertest"
)

func TestDeliversOncePerInbox(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		db := openDB(t, b)
		o := outbox.New(testConfig(), db, testClient(t, true), keys{}, servertest.Quiet())
		r1, r2, r3 := newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)
		a := activity("https://video.example/videos/watch/1/activity")

		// Written in the caller's transaction: a rollback queues nothing.
		errRollback := errors.New("rollback")
		err := db.Tx(context.Background(), func(tx *database.DB) error {
			if err := o.Enqueue(context.Background(), tx, activity("https://video.example/rolled-back"), []string{r1.url("/inbox")}); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}

		inboxes := []string{
			r1.url("/inbox"),
			r1.url("/inbox"), // a second follower behind the same shared inbox
			strings.Replace(r1.url("/inbox"), "http://", "HTTP://", 1),
			r1.url("/accounts/bob/inbox"),
			r2.url("/inbox"),
			r3.url("/inbox"),
			// Hostile inboxes from remote actor documents are left out.
			"ftp://" + r3.srv.Listener.Addr().String() + "/inbox",
			"http://user:pass@" + r3.srv.Listener.Addr().String() + "/stolen",
			"http:///no-host",
			"::not a url",
			"http://" + strings.Repeat("a", 5000) + ".example/inbox",
		}
		err = db.Tx(context.Background(), func(tx *database.DB) error {
			return o.Enqueue(context.Background(), tx, a, inboxes)
		})
		if err != nil {
			t.Fatal(err)
		}
		// Queued again, by a retried request say: nothing is added.
		enqueue(t, o, db, a, r3.url("/inbox"), r2.url("/inbox"))
		if s := stats(t, o); s.Queued != 4 || s.Due != 4 {
			t.Fatalf("stats before sending = %+v, want 4 queued and due", s)
		}

		start(t, o)
		o.Kick()
		eventually(t, "the queue is empty", func() bool { return stats(t, o).Queued == 0 })

		for _, c := range []struct {
			r    *receiver
			path string
		}{{r1, "/inbox"}, {r1, "/accounts/bob/inbox"}, {r2, "/inbox"}, {r3, "/inbox"}} {
			n, bodies := c.r.counts(c.path)
			if n != 1 || len(bodies) != 1 || bodies[0] != string(a.Body) {
				t.Errorf("%s%s: %d requests, bodies %q; want one request with the activity", c.r.srv.URL, c.path, n, bodies)
			}
		}
		if n := r1.total() + r2.total() + r3.total(); n != 4 {
			t.Errorf("%d requests in all, want 4", n)
		}
		for _, r := range []*receiver{r1, r2, r3} {
			r.checkNoBad(t)
		}
	})
}

func TestEnqueueRefusesIncompleteActivity(t *testing.T) {
	db := openDB(t, servertest.SQLite)
	o := outbox.New(testConfig(), db, testClient(t, true), keys{}, servertest.Quiet())
	for _, a := range []outbox.Activity{
		{KeyID: keyID, Body: []byte("{}")},
		{ID: "https://video.example/a", Body: []byte("{}")},
		{ID: "https://video.example/a", KeyID: keyID},
	} {
		if err := o.Enqueue(context.Background(), db, a, []string{"https://remote.example/inbox"}); err == nil {
			t.Errorf("Enqueue(%+v) = nil, want an error", a)
		}
	}
}

func TestRetriesUntilDelivered(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		db := openDB(t, b)
		o := outbox.New(testConfig(), db, testClient(t, true), keys{}, servertest.Quiet())
		// Each path fails its first two requests in its own way, then
		// accepts; Retry-After values a hostile server may send are
		// bounded by the backoff's maximum.
		failing := map[string]func(w http.ResponseWriter) int{
			"/500": func(http.ResponseWriter) int { return http.StatusInternalServerError },
			"/503-retry-after-huge": func(w http.ResponseWriter) int {
				w.Header().Set("Retry-After", "99999999999999999999")
				return http.StatusServiceUnavailable
			},
			"/429-retry-after-garbage": func(w http.ResponseWriter) int {
				w.Header().Set("Retry-After", "soon, really")
				return http.StatusTooManyRequests
			},
			"/408": func(http.ResponseWriter) int { return http.StatusRequestTimeout },
		}
		r := newReceiver(t, func(path string, n int, w http.ResponseWriter) int {
			switch path {
			case "/gone":
				return http.StatusGone
			case "/bad":
				return http.StatusBadRequest
			}
			if n <= 2 {
				return failing[path](w)
			}
			return http.StatusAccepted
		})
		a := activity("https://video.example/videos/watch/2/activity")
		paths := []string{"/500", "/503-retry-after-huge", "/429-retry-after-garbage", "/408", "/gone", "/bad"}
		var inboxes []string
		for _, p := range paths {
			inboxes = append(inboxes, r.url(p))
		}
		enqueue(t, o, db, a, inboxes...)
		start(t, o)
		eventually(t, "the queue is empty", func() bool { return stats(t, o).Queued == 0 })

		for _, p := range paths {
			n, bodies := r.counts(p)
			want := 3
			if p == "/gone" || p == "/bad" {
				want = 0 // refused for good: not retried
			}
			if n != max(want, 1) || len(bodies) != min(want, 1) {
				t.Errorf("%s: %d requests, %d accepted; want %d and %d", p, n, len(bodies), max(want, 1), min(want, 1))
			}
		}
		r.checkNoBad(t)
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	db := openDB(t, servertest.SQLite)
	cfg := testConfig()
	cfg.MaxAttempts = 3
	o := outbox.New(cfg, db, testClient(t, true), keys{}, servertest.Quiet())
	r := newReceiver(t, func(string, int, http.ResponseWriter) int { return http.StatusBadGateway })
	enqueue(t, o, db, activity("https://video.example/a/3"), r.url("/inbox"))
	start(t, o)
	eventually(t, "the delivery is dropped", func() bool { return stats(t, o).Queued == 0 })
	if n, _ := r.counts("/inbox"); n != 3 {
		t.Errorf("%d requests, want MaxAttempts = 3", n)
	}
}

// hangingListener accepts connections and never answers.
func hangingListener(t *testing.T) (addr string, open func() int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	// open counts the connections the client still holds: a read on one
	// the client closed ends at once.
	open = func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
	return ln.Addr().String(), open
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestDeadHostsDoNotDelayOthers(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		db := openDB(t, b)
		cfg := testConfig()
		cfg.Workers, cfg.PerHost, cfg.HostPauseAfter = 6, 2, 3
		// Far longer than the test: the hanging host's requests are still
		// waiting when everything else has arrived.
		cfg.RequestTimeout = time.Hour
		o := outbox.New(cfg, db, testClient(t, true), keys{}, servertest.Quiet())

		hanging, accepted := hangingListener(t)
		closed := closedPort(t)
		var inboxes []string
		for i := range 6 {
			inboxes = append(inboxes,
				"http://"+hanging+"/accounts/u"+strconv.Itoa(i)+"/inbox",
				"http://"+closed+"/accounts/u"+strconv.Itoa(i)+"/inbox")
		}
		var live []*receiver
		for range 5 {
			r := newReceiver(t, nil)
			live = append(live, r)
			for i := range 4 {
				inboxes = append(inboxes, r.url("/accounts/u"+strconv.Itoa(i)+"/inbox"))
			}
		}
		// The dead hosts' rows come first, so they are claimed first.
		enqueue(t, o, db, activity("https://video.example/a/4"), inboxes...)
		start(t, o)

		eventually(t, "the live hosts have everything", func() bool {
			n := 0
			for _, r := range live {
				n += r.total()
			}
			return n == 20
		})
		if n := accepted(); n == 0 || n > cfg.PerHost {
			t.Errorf("the hanging host has %d connections, want 1 to PerHost = %d", n, cfg.PerHost)
		}
		eventually(t, "the refusing host is paused", func() bool { return stats(t, o).PausedHosts == 1 })
		eventually(t, "only the dead hosts' rows are left", func() bool { return stats(t, o).Queued == 12 })
		for _, r := range live {
			r.checkNoBad(t)
		}
	})
}
