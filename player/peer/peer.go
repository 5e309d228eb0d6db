// Package peer is a Go peer of Cuttle's peer-to-peer delivery. It speaks
// the tracker protocol and the peer wire protocol of the browser player
// (p2p-media-loader v2), so Go peers and browsers watching the same
// rendition share segments with each other: it joins the rendition's
// swarm on the instance's tracker, connects to other peers over WebRTC
// data channels (pion), fetches each segment from a peer that has it or
// else over HTTP (byte ranges of one file per rendition, or a file per
// segment in older layouts), checks every segment from a peer against the
// video's segment hash map, and serves what it holds.
//
// It plays a video through at a chosen speed (for tests and the offload
// benchmark) or seeds it (fetches everything, then serves).
package peer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"

	"cuttle.video/player/swarm"
)

// Config says what to play and where.
type Config struct {
	// Tracker is the tracker socket URL the watch page gives players
	// (ws[s]://host/tracker/socket?video=UUID[&videoFileToken=...]).
	Tracker string
	// Master is the master playlist URL.
	Master string
	// Hashes is the segment hash map's URL (the API's
	// streamingPlaylists[].segmentsSha256Url, with the file token of a
	// video that is not public): its name is random, as the playlists'.
	Hashes string
	// SwarmID is the video's UUID, as the browser player configures it.
	SwarmID string
	// Height picks the rendition; 0 is the first (highest) one.
	Height int
	// HTTP fetches playlists and segments; nil is a client with a
	// 30-second timeout.
	HTTP *http.Client
	// Log receives debug messages; nil discards them.
	Log *slog.Logger
	// NoUpload makes a leech that answers every request with "absent".
	NoUpload bool
	// Corrupt makes the peer send wrong bytes, for tests of segment
	// checks.
	Corrupt bool
}

// Stats count media segment bytes (not playlists or init segments).
type Stats struct {
	DownloadedP2P  int64
	DownloadedHTTP int64
	UploadedP2P    int64
	SegmentsP2P    int
	SegmentsHTTP   int
	// Rejected counts segments from peers that failed their check.
	Rejected int
	// Stalls counts segments that arrived after playback needed them.
	Stalls int
	Peers  int
}

// Client is one peer in one rendition's swarm.
type Client struct {
	cfg  Config
	log  *slog.Logger
	http *http.Client
	rend *rendition
	id   string
	api  *webrtc.API

	wmu sync.Mutex // serialises writes to the tracker socket

	mu          sync.Mutex
	ws          *websocket.Conn
	trackerErr  string
	pending     map[string]*pendingOffer
	remotes     map[string]*remote // connected, by peer id
	all         map[*remote]struct{}
	bannedIDs   map[string]bool
	data        map[int64][]byte
	httpLoading map[int64]bool
	changed     chan struct{}
	stats       Stats

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Open reads the video's playlists and hashes, joins the swarm on the
// tracker, and starts accepting peers.
func Open(ctx context.Context, cfg Config) (*Client, error) {
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Tracker == "" || cfg.Master == "" || cfg.Hashes == "" || cfg.SwarmID == "" {
		return nil, errors.New("peer: Tracker, Master, Hashes and SwarmID are required")
	}
	rend, err := loadRendition(ctx, hc, cfg.Master, cfg.Hashes, cfg.SwarmID, cfg.Height)
	if err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	// Peers on one machine (tests, benchmarks) meet on loopback; there is
	// no STUN server to learn other addresses from.
	se.SetIncludeLoopbackCandidate(true)
	c := &Client{
		cfg: cfg, log: log, http: hc, rend: rend,
		id:      "-CU0001-" + randomID(12),
		api:     webrtc.NewAPI(webrtc.WithSettingEngine(se)),
		pending: map[string]*pendingOffer{}, remotes: map[string]*remote{}, all: map[*remote]struct{}{},
		bannedIDs: map[string]bool{}, data: map[int64][]byte{}, httpLoading: map[int64]bool{},
		changed: make(chan struct{}),
	}
	runCtx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.wg.Go(func() { c.trackerLoop(runCtx) })
	return c, nil
}

// InfoHash is the swarm's info hash.
func (c *Client) InfoHash() string { return c.rend.InfoHash }

// Stream describes the rendition played.
func (c *Client) Stream() swarm.Stream { return c.rend.Stream }

// Segments is the number of media segments of the rendition.
func (c *Client) Segments() int { return len(c.rend.Segments) }

// TrackerError is the tracker's last refusal, if any.
func (c *Client) TrackerError() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trackerErr
}

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Peers = len(c.remotes)
	return s
}

// Close leaves the swarm and closes every connection.
func (c *Client) Close() {
	c.cancel()
	c.wg.Wait()
	c.mu.Lock()
	var rs []*remote
	for r := range c.all {
		rs = append(rs, r)
	}
	for id, p := range c.pending {
		p.timer.Stop()
		p.pc.Close()
		delete(c.pending, id)
	}
	c.mu.Unlock()
	for _, r := range rs {
		r.close()
		_ = r.pc.Close()
	}
}

// notify wakes whoever waits for a peer to have a segment.
func (c *Client) notify() {
	c.mu.Lock()
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

func (c *Client) waitChange() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// connect records an open data channel; a second connection to the same
// peer is refused.
func (c *Client) connect(r *remote) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.remotes[r.id] != nil || c.bannedIDs[r.id] {
		return false
	}
	c.remotes[r.id] = r
	return true
}

func (c *Client) disconnect(r *remote) {
	c.mu.Lock()
	if c.remotes[r.id] == r {
		delete(c.remotes, r.id)
	}
	delete(c.all, r)
	c.mu.Unlock()
	c.notify()
}

func (c *Client) connected(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remotes[id] != nil
}

func (c *Client) banned(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bannedIDs[id]
}

func (c *Client) addUploaded(n int) {
	c.mu.Lock()
	c.stats.UploadedP2P += int64(n)
	c.mu.Unlock()
}

func (c *Client) segmentData(id int64) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.data[id]
}

// announcement lists what this peer holds and what it is fetching.
func (c *Client) announcement() []byte {
	c.mu.Lock()
	loaded := make([]int64, 0, len(c.data))
	for id := range c.data {
		loaded = append(loaded, id)
	}
	loading := make([]int64, 0, len(c.httpLoading))
	for id := range c.httpLoading {
		loading = append(loading, id)
	}
	c.mu.Unlock()
	if c.cfg.NoUpload {
		loaded, loading = nil, nil
	}
	sort.Slice(loaded, func(i, j int) bool { return loaded[i] < loaded[j] })
	sort.Slice(loading, func(i, j int) bool { return loading[i] < loading[j] })
	return command{Type: cmdAnnouncement, Loaded: loaded, HTTPLoad: loading}.encode()
}

func (c *Client) broadcast() {
	msg := c.announcement()
	c.mu.Lock()
	rs := make([]*remote, 0, len(c.remotes))
	for _, r := range c.remotes {
		rs = append(rs, r)
	}
	c.mu.Unlock()
	for _, r := range rs {
		r.send(msg)
	}
}

// peerWith returns a connected peer that announced the segment and is
// not busy, preferring one not tried yet.
func (c *Client) peerWith(id int64, tried map[*remote]bool) *remote {
	c.mu.Lock()
	rs := make([]*remote, 0, len(c.remotes))
	for _, r := range c.remotes {
		rs = append(rs, r)
	}
	c.mu.Unlock()
	for _, r := range rs {
		if !tried[r] && r.has(id) {
			return r
		}
	}
	return nil
}

// ban drops a peer that sent a wrong segment and ignores it from then on.
func (c *Client) ban(r *remote) {
	c.mu.Lock()
	c.bannedIDs[r.id] = true
	c.stats.Rejected++
	c.mu.Unlock()
	c.log.Info("dropped a peer that sent a corrupted segment", "peer", r.id)
	r.close()
}

func (c *Client) store(id int64, data []byte, fromPeer bool) {
	c.mu.Lock()
	c.data[id] = data
	delete(c.httpLoading, id)
	if fromPeer {
		c.stats.DownloadedP2P += int64(len(data))
		c.stats.SegmentsP2P++
	} else {
		c.stats.DownloadedHTTP += int64(len(data))
		c.stats.SegmentsHTTP++
	}
	c.mu.Unlock()
	c.broadcast()
}

// PlayOptions tune the simulated player.
type PlayOptions struct {
	// Speed is the playback rate; 1 is real time.
	Speed float64
	// Lookahead is how far ahead of the playhead segments are fetched.
	Lookahead time.Duration
	// HTTPMargin is how long before a segment is needed the player gives
	// up waiting for a peer to have it and fetches it over HTTP.
	HTTPMargin time.Duration
	// StartWait is how long the first segment waits for a peer.
	StartWait time.Duration
	// P2PTimeout bounds one download from a peer.
	P2PTimeout time.Duration
}

func (o *PlayOptions) fill() {
	if o.Speed <= 0 {
		o.Speed = 1
	}
	if o.Lookahead <= 0 {
		o.Lookahead = 30 * time.Second
	}
	if o.HTTPMargin <= 0 {
		o.HTTPMargin = 6 * time.Second
	}
	if o.StartWait <= 0 {
		o.StartWait = 2 * time.Second
	}
	if o.P2PTimeout <= 0 {
		o.P2PTimeout = 4 * time.Second
	}
}

// Play plays the rendition through as a player would: segments in order,
// each fetched from a peer when one has it in time, else over HTTP, the
// playhead moving at Speed once the first segment is there.
func (c *Client) Play(ctx context.Context, o PlayOptions) error {
	o.fill()
	if c.rend.InitURL != "" {
		if _, err := get(ctx, c.http, c.rend.InitURL, c.rend.InitRange, 16<<20); err != nil {
			return err
		}
	}
	var start time.Time
	var offset time.Duration
	for i, seg := range c.rend.Segments {
		var deadline time.Time
		if i == 0 {
			deadline = time.Now().Add(o.StartWait + o.HTTPMargin)
		} else {
			deadline = start.Add(offset)
		}
		if err := sleepUntil(ctx, deadline.Add(-o.Lookahead)); err != nil {
			return err
		}
		if err := c.obtain(ctx, int64(i), seg, deadline, o); err != nil {
			return err
		}
		now := time.Now()
		if i == 0 {
			start = now
		} else if now.After(deadline) {
			// The player waited: the rest of the timeline moves with it.
			c.mu.Lock()
			c.stats.Stalls++
			c.mu.Unlock()
			start = start.Add(now.Sub(deadline))
		}
		offset += time.Duration(seg.Duration / o.Speed * float64(time.Second))
	}
	return sleepUntil(ctx, start.Add(offset))
}

// Seed fetches every segment not held yet (from peers or HTTP, as fast as
// it can) and returns; the client keeps serving until Close.
func (c *Client) Seed(ctx context.Context) error {
	now := time.Now()
	o := PlayOptions{}
	o.fill()
	for i, seg := range c.rend.Segments {
		if err := c.obtain(ctx, int64(i), seg, now, o); err != nil {
			return err
		}
	}
	return nil
}

// obtain gets one segment: from peers that have it while there is time,
// then over HTTP.
func (c *Client) obtain(ctx context.Context, id int64, seg segment, deadline time.Time, o PlayOptions) error {
	if c.segmentData(id) != nil {
		return nil
	}
	tried := map[*remote]bool{}
	httpAt := deadline.Add(-o.HTTPMargin)
	for {
		changed := c.waitChange()
		if r := c.peerWith(id, tried); r != nil {
			tried[r] = true
			fctx, cancel := context.WithTimeout(ctx, o.P2PTimeout)
			data, err := r.fetch(fctx, id)
			cancel()
			switch {
			case err == nil && seg.valid(data):
				c.store(id, data, true)
				return nil
			case err == nil:
				c.ban(r)
			case ctx.Err() != nil:
				return ctx.Err()
			}
			continue
		}
		if !time.Now().Before(httpAt) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-time.After(time.Until(httpAt)):
		}
	}
	c.mu.Lock()
	c.httpLoading[id] = true
	c.mu.Unlock()
	c.broadcast()
	data, err := get(ctx, c.http, seg.URL, seg.Range, 256<<20)
	if err != nil {
		return err
	}
	if !seg.valid(data) {
		return fmt.Errorf("peer: segment %s from HTTP does not match its hash", seg)
	}
	c.store(id, data, false)
	return nil
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
