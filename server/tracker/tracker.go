// Package tracker is a WebTorrent tracker over WebSocket, the signalling
// server that lets browsers (and Go peers) watching the same video find
// each other: peers announce the swarms they are in with WebRTC offers,
// the tracker forwards each offer to another peer of the swarm and
// forwards the answer back; the peers then talk directly.
//
// The tracker is private: every connection comes with the swarms it may
// use (those of one video the caller was allowed to watch), and announces
// for any other swarm are refused. The video's access changing
// (RevokeVideo) closes the socket at once; when its grant runs out (a
// token's expiry, or a periodic check) the caller is asked again, and the
// socket is closed unless the answer is yes. A peer id belongs to the first socket that announced
// it, for as long as that socket lives. It is frugal: a connection costs one
// goroutine while idle (a writer runs only while there is something to
// send), dead sockets are reaped by ping deadlines rather than by
// scanning, and every per-connection queue is bounded.
//
// With a Cluster (Redis), a swarm spans every replica: membership and peer
// ids live in the cluster, and messages for peers on other replicas and
// revocations go through it.
package tracker

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"cuttle.video/server/netlimit"
)

// Config bounds what one tracker serves.
type Config struct {
	// Interval is the re-announce interval told to peers.
	Interval time.Duration
	// PingInterval spaces pings on an idle socket; a socket that answers
	// nothing for PingInterval+PongWait is closed.
	PingInterval, PongWait time.Duration
	// MaxConnsPerAddr bounds sockets per client address.
	MaxConnsPerAddr int
	// MaxSwarmsPerConn bounds the swarms one socket may join.
	MaxSwarmsPerConn int
	// MaxMessageBytes bounds one incoming message.
	MaxMessageBytes int64
	// MaxOffers bounds the offers of one announce, and so the peers one
	// announce reaches (numwant).
	MaxOffers int
	// AnnounceBurst and AnnouncePerSecond rate-limit messages per socket.
	AnnounceBurst     int
	AnnouncePerSecond float64
	// SendQueue bounds the messages waiting for a slow socket; a socket
	// that falls further behind is closed.
	SendQueue int
}

// DefaultConfig returns the limits used unless configured otherwise.
func DefaultConfig() Config {
	return Config{
		Interval:          2 * time.Minute,
		PingInterval:      30 * time.Second,
		PongWait:          15 * time.Second,
		MaxConnsPerAddr:   100,
		MaxSwarmsPerConn:  16,
		MaxMessageBytes:   64 << 10,
		MaxOffers:         10,
		AnnounceBurst:     60,
		AnnouncePerSecond: 5,
		SendQueue:         128,
	}
}

func (c *Config) fill() {
	d := DefaultConfig()
	if c.Interval <= 0 {
		c.Interval = d.Interval
	}
	if c.PingInterval <= 0 {
		c.PingInterval = d.PingInterval
	}
	if c.PongWait <= 0 {
		c.PongWait = d.PongWait
	}
	if c.MaxConnsPerAddr <= 0 {
		c.MaxConnsPerAddr = d.MaxConnsPerAddr
	}
	if c.MaxSwarmsPerConn <= 0 {
		c.MaxSwarmsPerConn = d.MaxSwarmsPerConn
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = d.MaxMessageBytes
	}
	if c.MaxOffers <= 0 {
		c.MaxOffers = d.MaxOffers
	}
	if c.AnnounceBurst <= 0 {
		c.AnnounceBurst = d.AnnounceBurst
	}
	if c.AnnouncePerSecond <= 0 {
		c.AnnouncePerSecond = d.AnnouncePerSecond
	}
	if c.SendQueue <= 0 {
		c.SendQueue = d.SendQueue
	}
}

// Allowed decides which swarms (info hashes, 20 raw bytes) a socket may
// join. The tracker asks it once per new swarm of a socket.
type Allowed func(infoHash string) bool

// Grant is what the caller allows a socket: the swarms it may join and
// until when. At Expires the tracker asks again (Authorize) and closes
// the socket unless the answer is yes: a file token has expired, or a
// revocation missed on the way is caught up with.
type Grant struct {
	Allowed Allowed
	Expires time.Time // zero: until revoked
}

// Authorize decides what a socket may do, when it opens and again each
// time its grant expires.
type Authorize func(ctx context.Context) (Grant, error)

// ErrPeerIDTaken refuses an announce with a peer id that another live
// socket uses in the swarm: a peer id is its first socket's, so knowing
// one (every offer and answer carries it) does not let anyone take over
// that peer.
var ErrPeerIDTaken = errors.New("peer_id is in use by another connection in this swarm")

// Remote names a peer anywhere in the cluster.
type Remote struct {
	Node   string
	PeerID string
}

// Cluster shares swarms between tracker replicas.
type Cluster interface {
	// Node is this replica's id.
	Node() string
	// Announce records a peer in a swarm and returns up to n other peers
	// of it, with the swarm's counts.
	Announce(ctx context.Context, infoHash, peerID string, complete bool, n int) (peers []Remote, seeders, leechers int, err error)
	// Leave removes a peer from a swarm.
	Leave(ctx context.Context, infoHash, peerID string) error
	// Counts returns a swarm's seeders and leechers.
	Counts(ctx context.Context, infoHash string) (seeders, leechers int, err error)
	// Locate finds the node of a peer of a swarm.
	Locate(ctx context.Context, infoHash, peerID string) (string, error)
	// Send delivers msg to a peer on another node.
	Send(ctx context.Context, to Remote, infoHash string, msg []byte) error
	// Revoke tells every node to close the sockets of a video.
	Revoke(ctx context.Context, video string) error
	// Run delivers messages sent to this node's peers, and revocations,
	// until ctx ends.
	Run(ctx context.Context, deliver func(infoHash, peerID string, msg []byte), revoke func(video string)) error
}

// Stats are the tracker's counters, for the metrics endpoint.
type Stats struct {
	Connections int64
	Swarms      int64
	Peers       int64
	Announces   int64
	Offers      int64
	Answers     int64
	Scrapes     int64
	Refused     int64
	Reaped      int64
}

// Tracker serves WebSocket connections.
type Tracker struct {
	cfg      Config
	cluster  Cluster
	log      *slog.Logger
	upgrader websocket.Upgrader

	shards [64]shard

	// addrs caps the sockets per client key.
	addrs *netlimit.Counter

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	connsMu sync.Mutex
	conns   map[*conn]struct{}
	byVideo map[string]map[*conn]struct{}
	closed  bool

	stats struct {
		connections, swarms, peers                           atomic.Int64
		announces, offers, answers, scrapes, refused, reaped atomic.Int64
	}
}

type shard struct {
	mu     sync.Mutex
	swarms map[string]*swarm
}

// New starts a tracker; cluster may be nil for a single replica.
func New(cfg Config, cluster Cluster, log *slog.Logger) *Tracker {
	cfg.fill()
	t := &Tracker{cfg: cfg, cluster: cluster, log: log, addrs: netlimit.NewCounter(cfg.MaxConnsPerAddr), conns: map[*conn]struct{}{}, byVideo: map[string]map[*conn]struct{}{}}
	for i := range t.shards {
		t.shards[i].swarms = map[string]*swarm{}
	}
	t.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// Idle sockets hold no write buffer, and a small read buffer of
		// their own rather than the HTTP server's: tracker messages
		// larger than it are read straight into a pooled buffer.
		WriteBufferPool: &sync.Pool{},
		ReadBufferSize:  1024,
		// The tracker is meant to be reached from pages of other origins
		// too (embeds); what a socket may do is decided by Allowed.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	if cluster != nil {
		t.wg.Go(func() {
			if err := cluster.Run(t.ctx, t.deliver, t.revokeLocal); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("tracker: cluster receiver stopped", "err", err)
			}
		})
	}
	return t
}

// ErrTooManyConnections is returned by Serve when the client address has
// too many sockets open.
var ErrTooManyConnections = errors.New("tracker: too many connections from this address")

// ErrClosed is returned by Serve once the tracker is closed.
var ErrClosed = errors.New("tracker: closed")

// Serve opens a socket for video: authorize decides what it may do, and
// RevokeVideo(video) ends it. addr is the client's key (see
// netlimit.Key), which the per-address socket limit counts against.
// Serve upgrades the request to a WebSocket and serves it from a
// goroutine of its own, so that the HTTP server's per-request state is
// released at once. It returns an error (the authorization's, or one of
// the tracker's) only when nothing was upgraded; the caller answers it.
func (t *Tracker) Serve(w http.ResponseWriter, r *http.Request, video, addr string, authorize Authorize) error {
	if !t.addrs.Acquire(addr) {
		return ErrTooManyConnections
	}
	c := newConn(t, addr, video, authorize)
	if !t.register(c) {
		t.addrs.Release(addr)
		return ErrClosed
	}
	g, err := authorize(r.Context())
	if err != nil {
		t.unregister(c)
		return err
	}
	ws, err := t.upgrader.Upgrade(w, r, nil)
	if err != nil {
		// The upgrader has answered the client already.
		t.unregister(c)
		return nil
	}
	if !c.start(ws, g) {
		t.unregister(c)
		return nil
	}
	go c.serve()
	return nil
}

// RevokeVideo closes every socket opened for video, on every replica:
// who may watch it changed, and the clients must ask again. Sockets still
// being authorized are refused.
func (t *Tracker) RevokeVideo(ctx context.Context, video string) {
	t.revokeLocal(video)
	if t.cluster == nil {
		return
	}
	// Callers may hold the video's files lock: a slow Redis must not
	// hold it long.
	ctx, cancel := context.WithTimeout(ctx, clusterTimeout)
	defer cancel()
	if err := t.cluster.Revoke(ctx, video); err != nil {
		t.log.ErrorContext(ctx, "tracker: cluster revoke", "video", video, "err", err)
	}
}

func (t *Tracker) revokeLocal(video string) {
	t.connsMu.Lock()
	conns := make([]*conn, 0, len(t.byVideo[video]))
	for c := range t.byVideo[video] {
		conns = append(conns, c)
	}
	t.connsMu.Unlock()
	for _, c := range conns {
		c.revoke(reasonRevoked)
	}
}

func (t *Tracker) register(c *conn) bool {
	t.connsMu.Lock()
	defer t.connsMu.Unlock()
	if t.closed {
		return false
	}
	t.conns[c] = struct{}{}
	vc := t.byVideo[c.video]
	if vc == nil {
		vc = map[*conn]struct{}{}
		t.byVideo[c.video] = vc
	}
	vc[c] = struct{}{}
	t.stats.connections.Add(1)
	return true
}

func (t *Tracker) unregister(c *conn) {
	t.connsMu.Lock()
	delete(t.conns, c)
	if vc := t.byVideo[c.video]; vc != nil {
		if delete(vc, c); len(vc) == 0 {
			delete(t.byVideo, c.video)
		}
	}
	t.connsMu.Unlock()
	t.stats.connections.Add(-1)
	t.addrs.Release(c.addr)
}

// Close closes every socket and stops the cluster receiver.
func (t *Tracker) Close() {
	t.connsMu.Lock()
	t.closed = true
	conns := make([]*conn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.connsMu.Unlock()
	for _, c := range conns {
		c.close()
	}
	t.cancel()
	t.wg.Wait()
}

// Stats returns the current counters.
func (t *Tracker) Stats() Stats {
	return Stats{
		Connections: t.stats.connections.Load(), Swarms: t.stats.swarms.Load(), Peers: t.stats.peers.Load(),
		Announces: t.stats.announces.Load(), Offers: t.stats.offers.Load(), Answers: t.stats.answers.Load(),
		Scrapes: t.stats.scrapes.Load(), Refused: t.stats.refused.Load(), Reaped: t.stats.reaped.Load(),
	}
}

func (t *Tracker) shard(infoHash string) *shard {
	var h uint32 = 2166136261
	for i := 0; i < len(infoHash); i++ {
		h = (h ^ uint32(infoHash[i])) * 16777619
	}
	return &t.shards[h%uint32(len(t.shards))]
}

// swarm holds the local peers of one info hash.
type swarm struct {
	peers    map[string]*member
	list     []*member
	seeders  int
	leechers int
}

type member struct {
	peerID   string
	conn     *conn
	complete bool
	idx      int
}

// join adds or updates a local peer and returns the swarm's counts; ok is
// false when another socket holds the peer id.
func (t *Tracker) join(infoHash, peerID string, c *conn, complete bool) (seeders, leechers int, ok bool) {
	sh := t.shard(infoHash)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sw := sh.swarms[infoHash]
	if sw == nil {
		sw = &swarm{peers: map[string]*member{}}
		sh.swarms[infoHash] = sw
		t.stats.swarms.Add(1)
	}
	m := sw.peers[peerID]
	switch {
	case m == nil:
		m = &member{peerID: peerID, conn: c, complete: complete, idx: len(sw.list)}
		sw.peers[peerID] = m
		sw.list = append(sw.list, m)
		t.stats.peers.Add(1)
		if complete {
			sw.seeders++
		} else {
			sw.leechers++
		}
	case m.conn != c:
		// Members leave when their socket ends, so the holder is alive.
		return 0, 0, false
	default:
		if complete && !m.complete {
			m.complete = true
			sw.seeders++
			sw.leechers--
		}
	}
	return sw.seeders, sw.leechers, true
}

// leave removes a local peer, if it is still c's.
// leave removes c's member peerID from a swarm and reports whether it was
// there.
func (t *Tracker) leave(infoHash, peerID string, c *conn) bool {
	sh := t.shard(infoHash)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sw := sh.swarms[infoHash]
	if sw == nil {
		return false
	}
	m := sw.peers[peerID]
	if m == nil || m.conn != c {
		return false
	}
	delete(sw.peers, peerID)
	last := sw.list[len(sw.list)-1]
	sw.list[m.idx], last.idx = last, m.idx
	sw.list[len(sw.list)-1] = nil
	sw.list = sw.list[:len(sw.list)-1]
	if m.complete {
		sw.seeders--
	} else {
		sw.leechers--
	}
	t.stats.peers.Add(-1)
	if len(sw.list) == 0 {
		delete(sh.swarms, infoHash)
		t.stats.swarms.Add(-1)
	}
	return true
}

// pickLocal returns up to n random local peers of a swarm other than
// self.
func (t *Tracker) pickLocal(infoHash, self string, n int) []*conn {
	sh := t.shard(infoHash)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sw := sh.swarms[infoHash]
	if sw == nil || n <= 0 {
		return nil
	}
	size := len(sw.list)
	out := make([]*conn, 0, min(n, size))
	// A random start and a random odd stride visit distinct members
	// without copying the list; strides coprime to the size visit all.
	start := rand.IntN(size)
	stride := 1
	if size > 2 {
		stride = 1 + rand.IntN(size-1)
		for gcd(stride, size) != 1 {
			if stride++; stride >= size {
				stride = 1
			}
		}
	}
	for i := 0; i < size && len(out) < n; i++ {
		m := sw.list[(start+i*stride)%size]
		if m.peerID != self {
			out = append(out, m.conn)
		}
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// local finds the socket of a local peer.
func (t *Tracker) local(infoHash, peerID string) *conn {
	sh := t.shard(infoHash)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sw := sh.swarms[infoHash]; sw != nil {
		if m := sw.peers[peerID]; m != nil {
			return m.conn
		}
	}
	return nil
}

func (t *Tracker) counts(infoHash string) (int, int) {
	sh := t.shard(infoHash)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sw := sh.swarms[infoHash]; sw != nil {
		return sw.seeders, sw.leechers
	}
	return 0, 0
}

// deliver hands a message from another node to a local peer.
func (t *Tracker) deliver(infoHash, peerID string, msg []byte) {
	if c := t.local(infoHash, peerID); c != nil {
		c.send(msg)
	}
}
