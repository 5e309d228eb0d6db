package tracker

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxRelayedBytes bounds one offer or answer (an SDP without trickled
// candidates is a few kilobytes).
const maxRelayedBytes = 16 << 10

// writeTimeout bounds one write to a socket.
const writeTimeout = 10 * time.Second

// clusterTimeout bounds one call to the cluster.
const clusterTimeout = 5 * time.Second

// conn is one WebSocket. It is registered under its video before the
// caller authorizes it, so that a revocation racing the authorization
// still reaches it; ws is set once the upgrade is done. Its reader
// goroutine owns the fields above mu; a writer goroutine exists only
// while messages wait.
type conn struct {
	t         *Tracker
	ws        *websocket.Conn
	addr      string
	video     string
	allowed   Allowed
	authorize Authorize

	swarms map[string]string // info hash -> the peer id used in it
	tokens float64
	last   time.Time

	mu      sync.Mutex
	queue   [][]byte
	writing bool
	closed  bool
	// revoked is why the socket's access was withdrawn, told to the
	// client in the close frame.
	revoked string
	ping    *time.Timer
	expiry  *time.Timer
}

func newConn(t *Tracker, addr, video string, authorize Authorize) *conn {
	return &conn{
		t: t, addr: addr, video: video, authorize: authorize,
		swarms: map[string]string{}, tokens: float64(t.cfg.AnnounceBurst), last: time.Now(),
	}
}

// Reasons told to a client whose access ends.
const (
	reasonRevoked = "access to this video changed; reconnect with a new video file token"
	reasonExpired = "access to this video expired; reconnect with a new video file token"
)

// start attaches the upgraded socket and its grant; false when the
// socket was revoked meanwhile, and then it is closed.
func (c *conn) start(ws *websocket.Conn, g Grant) bool {
	c.mu.Lock()
	c.ws, c.allowed = ws, g.Allowed
	reason, revoked := c.revoked, c.closed
	if !revoked {
		c.armExpiry(g)
	}
	c.mu.Unlock()
	if revoked {
		c.hangUp(reason)
	}
	return !revoked
}

// armExpiry schedules the next authorization for when g runs out; c.mu
// is held.
func (c *conn) armExpiry(g Grant) {
	if !g.Expires.IsZero() {
		c.expiry = time.AfterFunc(time.Until(g.Expires), c.reauthorize)
	}
}

// reauthorize asks again whether the socket may stay, when its grant
// ran out; the swarms it may join stay those it was first granted.
func (c *conn) reauthorize() {
	ctx, cancel := context.WithTimeout(c.t.ctx, clusterTimeout)
	defer cancel()
	g, err := c.authorize(ctx)
	if err != nil {
		c.revoke(reasonExpired)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.armExpiry(g)
	}
}

// revoke ends the socket's membership at once: nothing more is sent to
// it nor taken from it. The reader is woken to say why and clean up, so
// the caller never waits on a slow client.
func (c *conn) revoke(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.shut()
	c.revoked = reason
	if c.ws != nil {
		_ = c.ws.SetReadDeadline(time.Now())
	}
}

// shut marks the socket closed; c.mu is held.
func (c *conn) shut() {
	c.closed = true
	c.queue = nil
	if c.ping != nil {
		c.ping.Stop()
	}
	if c.expiry != nil {
		c.expiry.Stop()
	}
}

func (c *conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// hangUp closes the socket, first telling the client why its access was
// withdrawn when it was.
func (c *conn) hangUp(reason string) {
	if reason != "" {
		msg := websocket.FormatCloseMessage(websocket.ClosePolicyViolation, reason)
		_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeTimeout))
	}
	_ = c.ws.Close()
}

// extend moves the read deadline on after a sign of life, unless the
// socket was revoked: its reader must then wake at once.
func (c *conn) extend() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	return c.ws.SetReadDeadline(time.Now().Add(c.t.cfg.PingInterval + c.t.cfg.PongWait))
}

// serve reads messages until the socket fails or goes quiet, then takes
// the peer out of its swarms.
func (c *conn) serve() {
	defer c.t.unregister(c)
	c.ws.SetReadLimit(c.t.cfg.MaxMessageBytes)
	_ = c.extend()
	c.ws.SetPongHandler(func(string) error { return c.extend() })
	c.mu.Lock()
	c.ping = time.AfterFunc(c.t.cfg.PingInterval, c.sendPing)
	c.mu.Unlock()
	for {
		_, r, err := c.ws.NextReader()
		var data []byte
		if err == nil {
			data, err = readPooled(r)
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !c.isClosed() {
				c.t.stats.reaped.Add(1)
			}
			break
		}
		_ = c.extend()
		c.handle(data)
		release(data)
	}
	c.mu.Lock()
	reason := c.revoked
	c.mu.Unlock()
	// Out of the swarms before the client is told, so that it finds them
	// without itself when it comes back.
	for infoHash, peerID := range c.swarms {
		c.leave(infoHash, peerID)
	}
	if reason != "" {
		c.hangUp(reason)
	}
	c.close()
}

// Incoming messages are read into pooled buffers: handle copies whatever
// it keeps or forwards.
var readBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func readPooled(r io.Reader) ([]byte, error) {
	bp := readBufs.Get().(*[]byte)
	b := (*bp)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			release(b)
			return nil, err
		}
	}
}

func release(b []byte) {
	if cap(b) > 64<<10 {
		return
	}
	b = b[:0]
	readBufs.Put(&b)
}

func (c *conn) sendPing() {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return
	}
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
		c.close()
		return
	}
	c.mu.Lock()
	if !c.closed {
		c.ping.Reset(c.t.cfg.PingInterval)
	}
	c.mu.Unlock()
}

// close shuts the socket; the reader then cleans up.
func (c *conn) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.shut()
	ws := c.ws
	c.mu.Unlock()
	if ws != nil {
		_ = ws.Close()
	}
}

// send queues a message without blocking; a socket too slow to keep up
// is closed rather than allowed to hold memory.
func (c *conn) send(msg []byte) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if len(c.queue) >= c.t.cfg.SendQueue {
		c.mu.Unlock()
		c.close()
		return
	}
	c.queue = append(c.queue, msg)
	if !c.writing {
		c.writing = true
		go c.write()
	}
	c.mu.Unlock()
}

func (c *conn) write() {
	for {
		c.mu.Lock()
		if c.closed || len(c.queue) == 0 {
			c.writing = false
			c.queue = nil
			c.mu.Unlock()
			return
		}
		msg := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.mu.Unlock()
		_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := c.ws.WriteMessage(websocket.TextMessage, msg); err != nil {
			c.close()
		}
	}
}

// allow takes a token from the socket's bucket.
func (c *conn) allow() bool {
	now := time.Now()
	c.tokens = min(float64(c.t.cfg.AnnounceBurst), c.tokens+now.Sub(c.last).Seconds()*c.t.cfg.AnnouncePerSecond)
	c.last = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

func (c *conn) handle(data []byte) {
	if c.isClosed() {
		// Revoked while the message was read.
		return
	}
	req, err := parseRequest(data)
	if err != nil {
		c.refuse("announce", "invalid message", "")
		return
	}
	if !c.allow() {
		c.refuse(req.Action, "too many requests", "")
		return
	}
	switch req.Action {
	case "announce":
		c.announce(&req)
	case "scrape":
		c.scrape(&req)
	default:
		c.refuse("announce", errBadAction.Error(), "")
	}
}

func (c *conn) refuse(action, reason, infoHash string) {
	if action != "scrape" {
		action = "announce"
	}
	c.t.stats.refused.Add(1)
	c.send(failure(action, reason, infoHash))
}

func (c *conn) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.t.ctx, clusterTimeout)
}

func (c *conn) announce(req *request) {
	hashes, err := infoHashes(req.InfoHash)
	if err != nil || len(hashes) != 1 {
		c.refuse("announce", errBadInfoHash.Error(), "")
		return
	}
	ih := hashes[0]
	peerID, err := id(req.PeerID, errBadPeerID)
	if err != nil {
		c.refuse("announce", err.Error(), ih)
		return
	}
	if validRaw(req.Answer, maxRelayedBytes) {
		c.answer(req, ih, peerID)
		return
	}
	known, joined := c.swarms[ih]
	if !joined {
		if len(c.swarms) >= c.t.cfg.MaxSwarmsPerConn {
			c.refuse("announce", "too many swarms on one connection", ih)
			return
		}
		if !c.allowed(ih) {
			c.refuse("announce", "unknown swarm", ih)
			return
		}
	} else if known != peerID {
		// A new peer id for the same swarm: the old one is gone, and the
		// new one has not joined yet.
		c.leave(ih, known)
		delete(c.swarms, ih)
		joined = false
	}
	c.t.stats.announces.Add(1)
	switch req.Event {
	case "stopped":
		if joined {
			c.leave(ih, peerID)
			delete(c.swarms, ih)
		}
		seeders, leechers := c.counts(ih)
		c.send(announceReply(ih, c.interval(), seeders, leechers))
		return
	case "", "started", "update", "empty", "completed", "paused":
	default:
		c.refuse("announce", errBadEvent.Error(), ih)
		return
	}
	offers := req.Offers
	if len(offers) > c.t.cfg.MaxOffers {
		offers = offers[:c.t.cfg.MaxOffers]
	}
	for _, o := range offers {
		if !validRaw(o.Offer, maxRelayedBytes) || !validRaw(o.OfferID, 128) {
			c.refuse("announce", errBadOffer.Error(), ih)
			return
		}
	}
	done := req.Event == "completed" || complete(req.Left)
	seeders, leechers, ok := c.t.join(ih, peerID, c, done)
	if !ok {
		c.refuse("announce", ErrPeerIDTaken.Error(), ih)
		return
	}
	c.swarms[ih] = peerID
	if cl := c.t.cluster; cl != nil {
		ctx, cancel := c.ctx()
		peers, s, l, err := cl.Announce(ctx, ih, peerID, done, len(offers))
		cancel()
		if errors.Is(err, ErrPeerIDTaken) {
			// Only the local entry is ours: the cluster's is the owner's.
			c.t.leave(ih, peerID, c)
			delete(c.swarms, ih)
			c.refuse("announce", err.Error(), ih)
			return
		}
		if err != nil {
			c.t.log.Warn("tracker: cluster announce", "err", err)
		} else {
			seeders, leechers = s, l
		}
		c.send(announceReply(ih, c.interval(), seeders, leechers))
		for i, p := range peers {
			c.relayOffer(ih, peerID, offers[i], p)
		}
		return
	}
	c.send(announceReply(ih, c.interval(), seeders, leechers))
	for i, dst := range c.t.pickLocal(ih, peerID, len(offers)) {
		dst.send(relayed("offer", offers[i].Offer, offers[i].OfferID, peerID, ih))
		c.t.stats.offers.Add(1)
	}
}

func (c *conn) relayOffer(ih, from string, o offer, to Remote) {
	msg := relayed("offer", o.Offer, o.OfferID, from, ih)
	c.t.stats.offers.Add(1)
	if to.Node == c.t.cluster.Node() {
		if dst := c.t.local(ih, to.PeerID); dst != nil {
			dst.send(msg)
		}
		return
	}
	ctx, cancel := c.ctx()
	defer cancel()
	if err := c.t.cluster.Send(ctx, to, ih, msg); err != nil {
		c.t.log.Warn("tracker: cluster send", "err", err)
	}
}

// answer forwards a peer's answer to the peer whose offer it answers.
// Only peers of the swarm may answer in it.
func (c *conn) answer(req *request, ih, peerID string) {
	if c.swarms[ih] != peerID {
		c.refuse("announce", "answer from a peer outside the swarm", ih)
		return
	}
	to, err := id(req.ToPeerID, errBadToPeerID)
	if err != nil || !validRaw(req.OfferID, 128) {
		c.refuse("announce", errBadToPeerID.Error(), ih)
		return
	}
	msg := relayed("answer", req.Answer, req.OfferID, peerID, ih)
	c.t.stats.answers.Add(1)
	if dst := c.t.local(ih, to); dst != nil {
		dst.send(msg)
		return
	}
	cl := c.t.cluster
	if cl == nil {
		return
	}
	ctx, cancel := c.ctx()
	defer cancel()
	node, err := cl.Locate(ctx, ih, to)
	if err != nil || node == "" || node == cl.Node() {
		return
	}
	if err := cl.Send(ctx, Remote{Node: node, PeerID: to}, ih, msg); err != nil {
		c.t.log.Warn("tracker: cluster send", "err", err)
	}
}

func (c *conn) scrape(req *request) {
	hashes, err := infoHashes(req.InfoHash)
	if err != nil {
		c.refuse("scrape", err.Error(), "")
		return
	}
	if len(hashes) == 0 {
		for ih := range c.swarms {
			hashes = append(hashes, ih)
		}
	}
	if len(hashes) > c.t.cfg.MaxSwarmsPerConn {
		hashes = hashes[:c.t.cfg.MaxSwarmsPerConn]
	}
	c.t.stats.scrapes.Add(1)
	counts := make([]scrapeCount, 0, len(hashes))
	for _, ih := range hashes {
		if _, joined := c.swarms[ih]; !joined && !c.allowed(ih) {
			c.refuse("scrape", "unknown swarm", ih)
			return
		}
		s, l := c.counts(ih)
		counts = append(counts, scrapeCount{infoHash: ih, complete: s, incomplete: l})
	}
	c.send(scrapeReply(counts, c.interval()))
}

func (c *conn) counts(ih string) (int, int) {
	if cl := c.t.cluster; cl != nil {
		ctx, cancel := c.ctx()
		defer cancel()
		if s, l, err := cl.Counts(ctx, ih); err == nil {
			return s, l
		}
	}
	return c.t.counts(ih)
}

// leave takes peerID out of the swarm if this socket holds it, here and
// in the cluster; another socket's peer is left alone, so no member can
// make another one leave.
func (c *conn) leave(ih, peerID string) {
	if !c.t.leave(ih, peerID, c) {
		return
	}
	if cl := c.t.cluster; cl != nil {
		ctx, cancel := c.ctx()
		defer cancel()
		if err := cl.Leave(ctx, ih, peerID); err != nil {
			c.t.log.Warn("tracker: cluster leave", "err", err)
		}
	}
}

func (c *conn) interval() int { return int(c.t.cfg.Interval / time.Second) }
