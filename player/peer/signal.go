package peer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"
)

// The tracker side: announces with WebRTC offers, answers to offers the
// tracker forwards, and answers to our own offers.

// offersPerAnnounce is how many offers each announce carries, as browsers
// send.
const offersPerAnnounce = 5

// offerTimeout drops an offer nobody answered.
const offerTimeout = 50 * time.Second

// sessionDesc is a WebRTC session description as simple-peer signals it.
type sessionDesc struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

type offerOut struct {
	Offer   sessionDesc `json:"offer"`
	OfferID string      `json:"offer_id"`
}

// incoming is any message from the tracker. Binary ids stay raw JSON so
// they go back exactly as they came.
type incoming struct {
	Action     string          `json:"action"`
	InfoHash   string          `json:"info_hash"`
	PeerID     json.RawMessage `json:"peer_id"`
	Interval   int             `json:"interval"`
	Complete   *int            `json:"complete"`
	Incomplete *int            `json:"incomplete"`
	Offer      *sessionDesc    `json:"offer"`
	Answer     *sessionDesc    `json:"answer"`
	OfferID    json.RawMessage `json:"offer_id"`
	Failure    string          `json:"failure reason"`
}

type announceOut struct {
	Action     string     `json:"action"`
	InfoHash   string     `json:"info_hash"`
	PeerID     string     `json:"peer_id"`
	Event      string     `json:"event,omitempty"`
	Numwant    int        `json:"numwant"`
	Uploaded   int64      `json:"uploaded"`
	Downloaded int64      `json:"downloaded"`
	Offers     []offerOut `json:"offers"`
}

type answerOut struct {
	Action   string          `json:"action"`
	InfoHash string          `json:"info_hash"`
	PeerID   string          `json:"peer_id"`
	ToPeerID json.RawMessage `json:"to_peer_id"`
	Answer   sessionDesc     `json:"answer"`
	OfferID  json.RawMessage `json:"offer_id"`
}

// randomID returns n random ASCII letters and digits, which are valid
// binary strings as they are.
func randomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// trackerLoop keeps a socket to the tracker, announcing when it opens and
// every interval after, until ctx ends.
func (c *Client) trackerLoop(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := c.trackerSession(ctx)
		if ctx.Err() != nil {
			return
		}
		c.log.Debug("tracker socket closed", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (c *Client) trackerSession(ctx context.Context) error {
	ws, res, err := websocket.DefaultDialer.DialContext(ctx, c.cfg.Tracker, nil)
	if err != nil {
		if res != nil {
			c.setTrackerError(fmt.Sprintf("tracker refused the socket: %s", res.Status))
		}
		return err
	}
	defer ws.Close()
	c.mu.Lock()
	c.ws = ws
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.ws = nil
		c.mu.Unlock()
	}()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()

	interval := make(chan time.Duration, 1)
	go func() {
		c.announce(ctx, "started")
		next := 2 * time.Minute
		for {
			select {
			case <-ctx.Done():
				return
			case d := <-interval:
				next = d
			case <-time.After(next):
				if c.socket() != ws {
					return
				}
				c.announce(ctx, "")
			}
		}
	}()
	for {
		var m incoming
		if err := ws.ReadJSON(&m); err != nil {
			return err
		}
		if m.InfoHash != "" && m.InfoHash != c.rend.InfoHash {
			continue
		}
		switch {
		case m.Failure != "":
			c.setTrackerError(m.Failure)
		case m.Offer != nil && len(m.PeerID) > 0:
			go c.onOffer(ctx, m)
		case m.Answer != nil && len(m.PeerID) > 0:
			c.onAnswer(m)
		case m.Interval > 0:
			select {
			case interval <- time.Duration(m.Interval) * time.Second:
			default:
			}
		}
	}
}

func (c *Client) socket() *websocket.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws
}

func (c *Client) setTrackerError(msg string) {
	c.mu.Lock()
	c.trackerErr = msg
	c.mu.Unlock()
	c.log.Warn("tracker refused", "reason", msg)
}

func (c *Client) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	ws := c.socket()
	if ws == nil {
		return fmt.Errorf("peer: no tracker socket")
	}
	_ = ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return ws.WriteJSON(v)
}

// announce sends an announce with fresh offers.
func (c *Client) announce(ctx context.Context, event string) {
	offers := make([]offerOut, 0, offersPerAnnounce)
	for range offersPerAnnounce {
		o, err := c.newOffer(ctx)
		if err != nil {
			c.log.Warn("create offer", "err", err)
			continue
		}
		offers = append(offers, o)
	}
	st := c.Stats()
	if err := c.write(announceOut{
		Action: "announce", InfoHash: c.rend.InfoHash, PeerID: c.id, Event: event,
		Numwant: len(offers), Uploaded: st.UploadedP2P, Downloaded: st.DownloadedP2P + st.DownloadedHTTP, Offers: offers,
	}); err != nil {
		c.log.Debug("announce", "err", err)
	}
}

// newOffer creates a connection with a data channel and returns its
// offer once ICE gathering is complete (no trickling, as browsers here).
func (c *Client) newOffer(ctx context.Context) (offerOut, error) {
	pc, err := c.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return offerOut{}, err
	}
	dc, err := pc.CreateDataChannel(randomID(20), nil)
	if err != nil {
		pc.Close()
		return offerOut{}, err
	}
	sdp, err := localDescription(ctx, pc, pc.CreateOffer)
	if err != nil {
		pc.Close()
		return offerOut{}, err
	}
	id := randomID(20)
	c.mu.Lock()
	c.pending[id] = &pendingOffer{pc: pc, dc: dc, timer: time.AfterFunc(offerTimeout, func() { c.dropOffer(id) })}
	c.mu.Unlock()
	return offerOut{Offer: sessionDesc{Type: "offer", SDP: sdp}, OfferID: id}, nil
}

type pendingOffer struct {
	pc    *webrtc.PeerConnection
	dc    *webrtc.DataChannel
	timer *time.Timer
}

func (c *Client) dropOffer(id string) {
	c.mu.Lock()
	p := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if p != nil {
		p.pc.Close()
	}
}

func localDescription(ctx context.Context, pc *webrtc.PeerConnection, create func(*webrtc.OfferOptions) (webrtc.SessionDescription, error)) (string, error) {
	desc, err := create(nil)
	if err != nil {
		return "", err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(desc); err != nil {
		return "", err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(10 * time.Second):
		return "", fmt.Errorf("peer: ICE gathering did not complete")
	}
	return pc.LocalDescription().SDP, nil
}

func peerIDOf(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil || s == "" {
		return "", false
	}
	return s, true
}

// onOffer answers an offer forwarded by the tracker.
func (c *Client) onOffer(ctx context.Context, m incoming) {
	from, ok := peerIDOf(m.PeerID)
	if !ok || from == c.id || c.banned(from) || c.connected(from) {
		return
	}
	pc, err := c.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return
	}
	r := c.newRemote(from, pc)
	pc.OnDataChannel(func(dc *webrtc.DataChannel) { r.attach(dc) })
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: m.Offer.SDP}); err != nil {
		pc.Close()
		return
	}
	answer := func(*webrtc.OfferOptions) (webrtc.SessionDescription, error) { return pc.CreateAnswer(nil) }
	sdp, err := localDescription(ctx, pc, answer)
	if err != nil {
		pc.Close()
		return
	}
	if err := c.write(answerOut{
		Action: "announce", InfoHash: c.rend.InfoHash, PeerID: c.id, ToPeerID: m.PeerID,
		Answer: sessionDesc{Type: "answer", SDP: sdp}, OfferID: m.OfferID,
	}); err != nil {
		pc.Close()
	}
}

// onAnswer completes one of our offers.
func (c *Client) onAnswer(m incoming) {
	var id string
	if json.Unmarshal(m.OfferID, &id) != nil {
		return
	}
	from, ok := peerIDOf(m.PeerID)
	c.mu.Lock()
	p := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if p == nil {
		return
	}
	p.timer.Stop()
	if !ok || c.banned(from) || c.connected(from) {
		p.pc.Close()
		return
	}
	r := c.newRemote(from, p.pc)
	r.attach(p.dc)
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: m.Answer.SDP}); err != nil {
		p.pc.Close()
	}
}
