package peer

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// Flow control of uploads: wait while more than highWater bytes are
// queued on the channel, until it drains below lowWater.
const (
	highWater = 1 << 20
	lowWater  = 256 << 10
)

var (
	errAbsent  = errors.New("peer: the peer does not have the segment")
	errBusy    = errors.New("peer: a download from this peer is under way")
	errClosed  = errors.New("peer: connection closed")
	errTooLong = errors.New("peer: the peer sent more bytes than announced")
)

// remote is a connected peer: its data channel, what it announced, and
// the one download and one upload it may have under way.
type remote struct {
	c  *Client
	id string
	pc *webrtc.PeerConnection

	mu          sync.Mutex
	dc          *webrtc.DataChannel
	open        bool
	closed      bool
	join        joiner
	loaded      map[int64]bool
	httpLoading map[int64]bool
	dl          *download
	upGen       int
	upRequest   int64
	drained     chan struct{}
}

type download struct {
	segment, request int64
	header           bool
	size             int64
	buf              []byte
	done             chan error
}

func (c *Client) newRemote(id string, pc *webrtc.PeerConnection) *remote {
	r := &remote{c: c, id: id, pc: pc, loaded: map[int64]bool{}, httpLoading: map[int64]bool{}, drained: make(chan struct{}, 1)}
	c.mu.Lock()
	c.all[r] = struct{}{}
	c.mu.Unlock()
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateFailed || s == webrtc.PeerConnectionStateClosed || s == webrtc.PeerConnectionStateDisconnected {
			r.close()
		}
	})
	return r
}

func (r *remote) attach(dc *webrtc.DataChannel) {
	r.mu.Lock()
	r.dc = dc
	r.mu.Unlock()
	dc.SetBufferedAmountLowThreshold(lowWater)
	dc.OnBufferedAmountLow(func() {
		select {
		case r.drained <- struct{}{}:
		default:
		}
	})
	dc.OnOpen(func() {
		if !r.c.connect(r) {
			r.close()
			return
		}
		r.mu.Lock()
		r.open = true
		r.mu.Unlock()
		r.send(r.c.announcement())
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) { r.receive(m.Data) })
	dc.OnClose(r.close)
}

func (r *remote) close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	dl := r.dl
	r.dl = nil
	r.upGen++
	r.mu.Unlock()
	if dl != nil {
		dl.done <- errClosed
	}
	r.c.disconnect(r)
	go r.pc.Close()
}

func (r *remote) send(b []byte) {
	r.mu.Lock()
	dc, open := r.dc, r.open && !r.closed
	r.mu.Unlock()
	if open {
		_ = dc.Send(b)
	}
}

func (r *remote) receive(b []byte) {
	if isCommandChunk(b) {
		r.mu.Lock()
		whole, ok := r.join.add(b)
		r.mu.Unlock()
		if !ok {
			return
		}
		cmd, err := decodeCommand(whole)
		if err != nil {
			r.c.log.Debug("bad command", "peer", r.id, "err", err)
			return
		}
		r.command(cmd)
		return
	}
	r.mu.Lock()
	dl := r.dl
	if dl == nil || !dl.header {
		r.mu.Unlock()
		return
	}
	if int64(len(dl.buf)+len(b)) > dl.size {
		r.dl = nil
		r.mu.Unlock()
		dl.done <- errTooLong
		return
	}
	dl.buf = append(dl.buf, b...)
	r.mu.Unlock()
}

func (r *remote) command(cmd command) {
	switch cmd.Type {
	case cmdAnnouncement:
		r.mu.Lock()
		r.loaded = toSet(cmd.Loaded)
		r.httpLoading = toSet(cmd.HTTPLoad)
		r.mu.Unlock()
		r.c.notify()
	case cmdRequest:
		r.mu.Lock()
		r.upGen++
		gen := r.upGen
		r.upRequest = cmd.Request
		r.mu.Unlock()
		go r.upload(gen, cmd)
	case cmdCancel:
		r.mu.Lock()
		if r.upRequest == cmd.Request {
			r.upGen++
		}
		r.mu.Unlock()
	case cmdData, cmdDataDone, cmdAbsent:
		r.mu.Lock()
		dl := r.dl
		if dl == nil || dl.segment != cmd.Segment || dl.request != cmd.Request {
			r.mu.Unlock()
			return
		}
		var result error
		finished := true
		switch cmd.Type {
		case cmdData:
			dl.header, dl.size = true, cmd.Size
			dl.buf = make([]byte, 0, cmd.Size)
			finished = false
		case cmdDataDone:
			if !dl.header || int64(len(dl.buf)) != dl.size {
				result = errTooLong
			}
		case cmdAbsent:
			delete(r.loaded, cmd.Segment)
			result = errAbsent
		}
		if finished {
			r.dl = nil
		}
		r.mu.Unlock()
		if finished {
			dl.done <- result
		}
	}
}

func toSet(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func (r *remote) has(segment int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open && !r.closed && r.loaded[segment] && r.dl == nil
}

// fetch asks the peer for a segment and waits for all of it.
func (r *remote) fetch(ctx context.Context, segment int64) ([]byte, error) {
	dl := &download{segment: segment, request: int64(rand.IntN(1000)), done: make(chan error, 1)}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, errClosed
	}
	if r.dl != nil {
		r.mu.Unlock()
		return nil, errBusy
	}
	r.dl = dl
	r.mu.Unlock()
	r.send(command{Type: cmdRequest, Segment: segment, Request: dl.request}.encode())
	select {
	case err := <-dl.done:
		if err != nil {
			return nil, err
		}
		return dl.buf, nil
	case <-ctx.Done():
		r.mu.Lock()
		if r.dl == dl {
			r.dl = nil
		}
		r.mu.Unlock()
		r.send(command{Type: cmdCancel, Segment: segment, Request: dl.request}.encode())
		return nil, ctx.Err()
	}
}

// upload answers a request, unless a newer request or a cancel stops it.
func (r *remote) upload(gen int, cmd command) {
	stopped := func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.closed || r.upGen != gen
	}
	data := r.c.segmentData(cmd.Segment)
	if data == nil || r.c.cfg.NoUpload {
		r.send(command{Type: cmdAbsent, Segment: cmd.Segment, Request: cmd.Request}.encode())
		return
	}
	if r.c.cfg.Corrupt {
		// A test peer that lies: same size, different bytes.
		bad := make([]byte, len(data))
		copy(bad, data)
		for i := len(bad) / 2; i < len(bad) && i < len(bad)/2+64; i++ {
			bad[i] ^= 0xFF
		}
		data = bad
	}
	if cmd.HasFrom && cmd.From > 0 && cmd.From < int64(len(data)) {
		data = data[cmd.From:]
	}
	r.send(command{Type: cmdData, Segment: cmd.Segment, Request: cmd.Request, Size: int64(len(data))}.encode())
	r.mu.Lock()
	dc := r.dc
	r.mu.Unlock()
	for off := 0; off < len(data); off += maxMessage {
		for dc.BufferedAmount() > highWater {
			if stopped() {
				return
			}
			select {
			case <-r.drained:
			case <-time.After(100 * time.Millisecond):
			}
		}
		if stopped() {
			return
		}
		chunk := data[off:min(off+maxMessage, len(data))]
		if err := dc.Send(chunk); err != nil {
			return
		}
		r.c.addUploaded(len(chunk))
	}
	if !stopped() {
		r.send(command{Type: cmdDataDone, Segment: cmd.Segment, Request: cmd.Request}.encode())
	}
}
