package tracker

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"cuttle.video/server/tracker/trackertest"
)

const (
	swarmA = "AAAAAAAAAAAAAAAAAAAA"
	swarmB = "BBBBBBBBBBBBBBBBBBBB"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// start serves a tracker that knows swarmA and swarmB.
func start(t *testing.T, cfg Config, cluster Cluster) (*Tracker, string) {
	t.Helper()
	tr := New(cfg, cluster, quiet())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("video") == "unknown" {
			http.Error(w, "unknown video", http.StatusNotFound)
			return
		}
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		err := tr.Serve(w, r, r.URL.Query().Get("video"), host, func(context.Context) (Grant, error) {
			return Grant{Allowed: func(ih string) bool { return ih == swarmA || ih == swarmB }}, nil
		})
		if errors.Is(err, ErrTooManyConnections) {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
		}
	}))
	t.Cleanup(func() { srv.Close(); tr.Close() })
	return tr, "ws" + strings.TrimPrefix(srv.URL, "http")
}

func peerID(n byte) string { return "-PM0203-" + strings.Repeat(string(rune('a'+n)), 12) }

func offers(n int) []map[string]any {
	var out []map[string]any
	for i := range n {
		out = append(out, map[string]any{
			"offer":    map[string]any{"type": "offer", "sdp": "v=0 offer " + string(rune('0'+i))},
			"offer_id": strings.Repeat(string(rune('0'+i)), 20),
		})
	}
	return out
}

func announce(ih, peer, event string, n int) map[string]any {
	m := map[string]any{"action": "announce", "info_hash": ih, "peer_id": peer, "numwant": n, "offers": offers(n),
		"uploaded": 0, "downloaded": 0}
	if event != "" {
		m["event"] = event
	}
	return m
}

func TestOffersAndAnswers(t *testing.T) {
	tr, url := start(t, Config{}, nil)
	a, b := trackertest.MustDial(t, url), trackertest.MustDial(t, url)

	a.Send(announce(swarmA, peerID(0), "started", 5))
	r := a.Next()
	if r["action"] != "announce" || r["info_hash"] != swarmA || r["incomplete"] != 1.0 || r["complete"] != 0.0 || r["interval"] != 120.0 {
		t.Fatalf("first announce reply = %v", r)
	}

	b.Send(announce(swarmA, peerID(1), "started", 5))
	if r := b.Next(); r["incomplete"] != 2.0 {
		t.Fatalf("second announce reply = %v", r)
	}
	// One of b's offers reaches a, the only other peer.
	o := a.Next()
	if o["offer"] == nil || o["peer_id"] != peerID(1) || o["info_hash"] != swarmA || o["offer_id"] == nil {
		t.Fatalf("relayed offer = %v", o)
	}
	a.Quiet(100 * time.Millisecond)

	// a answers; b receives the answer, a no reply.
	a.Send(map[string]any{"action": "announce", "info_hash": swarmA, "peer_id": peerID(0), "to_peer_id": peerID(1),
		"answer": map[string]any{"type": "answer", "sdp": "v=0 answer"}, "offer_id": o["offer_id"]})
	ans := b.Next()
	if ans["answer"].(map[string]any)["sdp"] != "v=0 answer" || ans["peer_id"] != peerID(0) || ans["offer_id"] != o["offer_id"] {
		t.Fatalf("relayed answer = %v", ans)
	}
	a.Quiet(100 * time.Millisecond)

	// completed moves a peer to the seeders; scrape counts them.
	a.Send(map[string]any{"action": "announce", "info_hash": swarmA, "peer_id": peerID(0), "event": "completed", "left": 0})
	if r := a.Next(); r["complete"] != 1.0 || r["incomplete"] != 1.0 {
		t.Fatalf("completed reply = %v", r)
	}
	b.Send(map[string]any{"action": "scrape", "info_hash": []string{swarmA, swarmB}})
	s := b.Next()
	files := s["files"].(map[string]any)
	if files[swarmA].(map[string]any)["complete"] != 1.0 || files[swarmA].(map[string]any)["incomplete"] != 1.0 ||
		files[swarmB].(map[string]any)["incomplete"] != 0.0 {
		t.Fatalf("scrape = %v", s)
	}

	// stopped leaves; a closed socket leaves all its swarms.
	b.Send(map[string]any{"action": "announce", "info_hash": swarmA, "peer_id": peerID(1), "event": "stopped"})
	if r := b.Next(); r["incomplete"] != 0.0 || r["complete"] != 1.0 {
		t.Fatalf("stopped reply = %v", r)
	}
	a.Close()
	waitFor(t, func() bool { st := tr.Stats(); return st.Peers == 0 && st.Swarms == 0 && st.Connections == 1 })
}

func TestNumwant(t *testing.T) {
	tr, url := start(t, Config{MaxOffers: 3}, nil)
	var peers []*trackertest.Client
	for i := range 6 {
		c := trackertest.MustDial(t, url)
		c.Send(announce(swarmB, peerID(byte(i)), "started", 0))
		c.Next()
		peers = append(peers, c)
	}
	// Ten offers, at most three forwarded, each to a different peer.
	n := trackertest.MustDial(t, url)
	n.Send(announce(swarmB, peerID(9), "started", 10))
	n.Next()
	got := map[int]int{}
	deadline := time.After(5 * time.Second)
	for len(got) < 3 {
		for i, p := range peers {
			select {
			case m := <-p.Messages():
				if m["offer"] == nil {
					t.Fatalf("unexpected %v", m)
				}
				got[i]++
			case <-deadline:
				t.Fatalf("offers forwarded: %v, want three", got)
			default:
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A socket's messages are handled in order: once a later scrape is
	// answered, the announce has relayed every offer it was going to.
	n.Send(map[string]any{"action": "scrape", "info_hash": []string{swarmB}})
	n.Next()
	if st := tr.Stats(); st.Offers != 3 {
		t.Fatalf("%d offers relayed, want three", st.Offers)
	}
	for i, p := range peers {
		for len(p.Messages()) > 0 {
			<-p.Messages()
			got[i]++
		}
	}
	if len(got) != 3 {
		t.Fatalf("offers forwarded: %v, want one to each of three peers", got)
	}
	for _, n := range got {
		if n != 1 {
			t.Fatalf("offers forwarded: %v, want one to each of three peers", got)
		}
	}
}

func TestRefusals(t *testing.T) {
	tr, url := start(t, Config{MaxSwarmsPerConn: 1, MaxConnsPerAddr: 3, MaxMessageBytes: 4096}, nil)
	c := trackertest.MustDial(t, url)

	// A swarm this tracker does not serve.
	c.Send(announce("CCCCCCCCCCCCCCCCCCCC", peerID(0), "started", 1))
	if r := c.Next(); r["failure reason"] != "unknown swarm" || r["info_hash"] != "CCCCCCCCCCCCCCCCCCCC" {
		t.Fatalf("unknown swarm reply = %v", r)
	}
	c.Send(map[string]any{"action": "scrape", "info_hash": "CCCCCCCCCCCCCCCCCCCC"})
	if r := c.Next(); r["failure reason"] != "unknown swarm" {
		t.Fatalf("unknown swarm scrape = %v", r)
	}
	// Malformed ids.
	c.Send(announce("short", peerID(0), "started", 1))
	if r := c.Next(); r["failure reason"] != "invalid info_hash" {
		t.Fatalf("short info hash reply = %v", r)
	}
	// One swarm per connection here.
	c.Send(announce(swarmA, peerID(0), "started", 0))
	c.Next()
	c.Send(announce(swarmB, peerID(0), "started", 0))
	if r := c.Next(); r["failure reason"] != "too many swarms on one connection" {
		t.Fatalf("second swarm reply = %v", r)
	}
	// An answer from outside the swarm is not forwarded.
	c.Send(map[string]any{"action": "announce", "info_hash": swarmB, "peer_id": peerID(0), "to_peer_id": peerID(1),
		"answer": map[string]any{"type": "answer", "sdp": "x"}, "offer_id": strings.Repeat("x", 20)})
	if r := c.Next(); r["failure reason"] == nil {
		t.Fatalf("answer outside the swarm = %v", r)
	}
	if tr.Stats().Refused < 5 {
		t.Fatalf("refused = %d", tr.Stats().Refused)
	}

	// Per-address connection limit: c plus two more.
	trackertest.MustDial(t, url)
	trackertest.MustDial(t, url)
	_, res, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth connection: %v %v", err, res)
	}
	// An unknown video is refused before the upgrade.
	_, res, err = websocket.DefaultDialer.Dial(url+"?video=unknown", nil)
	if err == nil || res == nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown video: %v %v", err, res)
	}

	// An oversized message closes the socket.
	c.Send(map[string]any{"action": "announce", "pad": strings.Repeat("x", 5000)})
	select {
	case _, ok := <-c.Messages():
		for ok {
			_, ok = <-c.Messages()
		}
	case <-time.After(5 * time.Second):
		t.Fatal("oversized message did not close the socket")
	}
}

func TestRateLimit(t *testing.T) {
	_, url := start(t, Config{AnnounceBurst: 3, AnnouncePerSecond: 0.01}, nil)
	c := trackertest.MustDial(t, url)
	for range 3 {
		c.Send(announce(swarmA, peerID(0), "", 0))
		if r := c.Next(); r["failure reason"] != nil {
			t.Fatalf("within the burst: %v", r)
		}
	}
	c.Send(announce(swarmA, peerID(0), "", 0))
	if r := c.Next(); r["failure reason"] != "too many requests" {
		t.Fatalf("past the burst: %v", r)
	}
}

// A client that stops answering pings is dropped and leaves its swarms.
func TestDeadSocketReaped(t *testing.T) {
	// Generous against a loaded machine: the live client must answer
	// within PongWait.
	tr, url := start(t, Config{PingInterval: 200 * time.Millisecond, PongWait: time.Second}, nil)
	live := trackertest.MustDial(t, url) // reads, so it answers pings
	live.Send(announce(swarmA, peerID(0), "started", 0))
	live.Next()

	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	// Pongs are only sent while reading: this client never reads again.
	if err := ws.WriteJSON(announce(swarmA, peerID(1), "started", 0)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return tr.Stats().Peers == 2 })
	waitFor(t, func() bool { st := tr.Stats(); return st.Reaped == 1 && st.Peers == 1 && st.Connections == 1 })
	// The live one survives several ping rounds.
	time.Sleep(time.Second)
	if st := tr.Stats(); st.Connections != 1 {
		t.Fatalf("live socket dropped: %+v", st)
	}
}

// redisClusters returns two replicas' clusters on the test Redis, with
// a prefix of their own.
func redisClusters(t *testing.T) (*RedisCluster, *RedisCluster) {
	t.Helper()
	u := os.Getenv("CUTTLE_TEST_REDIS_URL")
	if u == "" {
		if os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("CUTTLE_TEST_REDIS_URL is not set")
		}
		t.Skip("CUTTLE_TEST_REDIS_URL is not set; run through make test")
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	ca, cb := NewRedisCluster(rdb, time.Minute), NewRedisCluster(rdb, time.Minute)
	// A prefix per test run keeps runs on one Redis apart.
	ca.prefix = "test:" + ca.node + ":"
	cb.prefix = ca.prefix
	return ca, cb
}

func TestRedisCluster(t *testing.T) {
	ca, cb := redisClusters(t)
	_, urlA := start(t, Config{}, ca)
	_, urlB := start(t, Config{}, cb)
	a, b := trackertest.MustDial(t, urlA), trackertest.MustDial(t, urlB)
	<-ca.Ready()
	<-cb.Ready()

	a.Send(announce(swarmA, peerID(0), "started", 0))
	if r := a.Next(); r["incomplete"] != 1.0 {
		t.Fatalf("a's announce: %v", r)
	}
	b.Send(announce(swarmA, peerID(1), "started", 3))
	if r := b.Next(); r["incomplete"] != 2.0 {
		t.Fatalf("b's announce: %v", r)
	}
	o := a.Next()
	if o["offer"] == nil || o["peer_id"] != peerID(1) {
		t.Fatalf("offer across replicas: %v", o)
	}
	a.Send(map[string]any{"action": "announce", "info_hash": swarmA, "peer_id": peerID(0), "to_peer_id": peerID(1),
		"answer": map[string]any{"type": "answer", "sdp": "v=0 answer"}, "offer_id": o["offer_id"]})
	if ans := b.Next(); ans["answer"] == nil || ans["peer_id"] != peerID(0) {
		t.Fatalf("answer across replicas: %v", ans)
	}
	a.Close()
	waitFor(t, func() bool {
		s, l, err := cb.Counts(context.Background(), swarmA)
		return err == nil && s == 0 && l == 1
	})
}

// revoked reads until the tracker closes the socket for a revocation.
func revoked(t *testing.T, c *trackertest.Client) { t.Helper(); closedFor(t, c, reasonRevoked) }

// closedFor reads until the tracker closes the socket, telling reason.
func closedFor(t *testing.T, c *trackertest.Client, reason string) {
	t.Helper()
	if got := c.CutOff(); got != reason {
		t.Fatalf("socket closed for %q, want %q", got, reason)
	}
}

// Across replicas, a peer id stays with its first socket, and revoking a
// video closes its sockets on every replica and no others.
func TestRedisClusterPeerIDsAndRevocation(t *testing.T) {
	ca, cb := redisClusters(t)
	trA, urlA := start(t, Config{}, ca)
	_, urlB := start(t, Config{}, cb)
	a, b := trackertest.MustDial(t, urlA+"?video=v1"), trackertest.MustDial(t, urlB+"?video=v1")
	bystander := trackertest.MustDial(t, urlB+"?video=v2")
	<-ca.Ready()
	<-cb.Ready()

	a.Send(announce(swarmA, peerID(0), "started", 0))
	a.Next()
	hijack := trackertest.MustDial(t, urlB+"?video=v1")
	hijack.Send(announce(swarmA, peerID(0), "started", 0))
	if r := hijack.Next(); r["failure reason"] != ErrPeerIDTaken.Error() {
		t.Fatalf("peer id of another replica's socket: %v", r)
	}
	// A socket beside the victim says the victim stopped: that must not
	// free the victim's id for the hijacker.
	evictor := trackertest.MustDial(t, urlA+"?video=v1")
	evictor.Send(announce(swarmA, peerID(3), "started", 0))
	evictor.Next()
	evictor.Send(announce(swarmA, peerID(0), "stopped", 0))
	evictor.Next()
	hijack.Send(announce(swarmA, peerID(0), "started", 0))
	if r := hijack.Next(); r["failure reason"] != ErrPeerIDTaken.Error() {
		t.Fatalf("peer id taken after another socket announced its stop: %v", r)
	}
	b.Send(announce(swarmA, peerID(1), "started", 3))
	if r := b.Next(); r["incomplete"] != 2.0 {
		t.Fatalf("b's announce: %v", r)
	}
	o := a.Next()
	a.Send(map[string]any{"action": "announce", "info_hash": swarmA, "peer_id": peerID(0), "to_peer_id": peerID(1),
		"answer": map[string]any{"type": "answer", "sdp": "v=0 answer"}, "offer_id": o["offer_id"]})
	if ans := b.Next(); ans["answer"] == nil || ans["peer_id"] != peerID(0) {
		t.Fatalf("answer across replicas after a refused takeover: %v", ans)
	}
	bystander.Send(announce(swarmB, peerID(2), "started", 0))
	bystander.Next()

	trA.RevokeVideo(context.Background(), "v1")
	revoked(t, a)
	revoked(t, b)
	revoked(t, hijack)
	revoked(t, evictor)
	bystander.Send(map[string]any{"action": "scrape", "info_hash": swarmB})
	if r := bystander.Next(); r["action"] != "scrape" {
		t.Fatalf("another video's socket after the revocation: %v", r)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// When its grant runs out, a socket is authorized again: it stays while
// the answer is yes, so that a missed revocation is caught up with, and
// is closed once it is no.
func TestGrantRenewedUntilRefused(t *testing.T) {
	tr := New(Config{}, nil, quiet())
	var allowed atomic.Bool
	allowed.Store(true)
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = tr.Serve(w, r, "v1", "client", func(context.Context) (Grant, error) {
			asked.Add(1)
			if !allowed.Load() {
				return Grant{}, errors.New("no longer")
			}
			return Grant{Allowed: func(ih string) bool { return ih == swarmA }, Expires: time.Now().Add(50 * time.Millisecond)}, nil
		})
	}))
	t.Cleanup(func() { srv.Close(); tr.Close() })
	c := trackertest.MustDial(t, "ws"+strings.TrimPrefix(srv.URL, "http"))
	c.Send(announce(swarmA, peerID(0), "started", 0))
	c.Next()
	waitFor(t, func() bool { return asked.Load() >= 3 })
	c.Send(map[string]any{"action": "scrape", "info_hash": swarmA})
	if r := c.Next(); r["action"] != "scrape" {
		t.Fatalf("a socket whose grant was renewed: %v", r)
	}
	allowed.Store(false)
	closedFor(t, c, reasonExpired)
}
