package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"cuttle.video/server/tracker"
)

// trackerServeCmd runs Cuttle's tracker alone, serving every swarm, so
// that its capacity can be compared with another tracker process on the
// same load.
func trackerServeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tracker-serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := tracker.DefaultConfig()
	// Every benchmark peer comes from 127.0.0.1 and talks far faster
	// than a viewer; the other tracker has neither limit.
	cfg.MaxConnsPerAddr = 1 << 20
	cfg.AnnounceBurst, cfg.AnnouncePerSecond = 1<<20, 1<<20
	tr := tracker.New(cfg, nil, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	defer tr.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		openAll := func(context.Context) (tracker.Grant, error) {
			return tracker.Grant{Allowed: func(string) bool { return true }}, nil
		}
		// One key for all: the per-address limit is lifted above anyway.
		if err := tr.Serve(w, r, r.URL.Query().Get("video"), "bench", openAll); err != nil {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
		}
	}), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type trackerLoadOpts struct {
	url      string
	peers    int
	swarms   int
	window   int
	duration time.Duration
	pid      int
	name     string
}

// trackerLoadCmd connects many peers to a tracker, then announces with
// offers as fast as the tracker answers, peers answering the offers they
// receive, and prints announces per second and the tracker's RSS.
func trackerLoadCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o trackerLoadOpts
	fs := flag.NewFlagSet("tracker-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "", "tracker WebSocket URL (required)")
	fs.IntVar(&o.peers, "peers", 10000, "connected peers")
	fs.IntVar(&o.swarms, "swarms", 100, "swarms the peers are spread over")
	fs.IntVar(&o.window, "window", 256, "announces in flight")
	fs.DurationVar(&o.duration, "duration", 15*time.Second, "measuring time")
	fs.IntVar(&o.pid, "pid", 0, "tracker process id, to read its RSS")
	fs.StringVar(&o.name, "name", "tracker", "name in the report")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.url == "" || o.peers < 2 || o.swarms < 1 {
		return errors.New("-url is required; -peers >= 2, -swarms >= 1")
	}
	r, err := loadTracker(ctx, o, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d peers in %d swarms: %.0f announces/s (%d offers and %d answers delivered, %d refusals); RSS %.1f MiB idle, %.1f MiB peak\n",
		o.name, o.peers, o.swarms, r.rate, r.offers, r.answers, r.failures, float64(r.idleRSS)/(1<<20), float64(r.peakRSS)/(1<<20))
	perCPU := 0.0
	if r.cpu > 0 {
		perCPU = float64(r.announces) / r.cpu.Seconds()
	}
	fmt.Fprintf(stdout, "%s: %.2f CPU-seconds used, %.0f announces per CPU-second\n", o.name, r.cpu.Seconds(), perCPU)
	fmt.Fprintf(stdout, "RESULT %s rate=%.0f per_cpu_second=%.0f idle_rss=%d peak_rss=%d\n", o.name, r.rate, perCPU, r.idleRSS, r.peakRSS)
	return nil
}

type loadResult struct {
	rate             float64
	cpu              time.Duration
	announces        int64
	offers, answers  int64
	failures         int64
	idleRSS, peakRSS int64
}

type loadPeer struct {
	ws       *websocket.Conn
	wmu      sync.Mutex
	peerID   string
	infoHash string
	replies  chan struct{}
}

func (p *loadPeer) send(b []byte) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	return p.ws.WriteMessage(websocket.TextMessage, b)
}

// fakeSDP is the size of a real non-trickle offer with a few host
// candidates; the tracker forwards it without reading it.
var fakeSDP = "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\na=group:BUNDLE 0\\r\\n" +
	"a=msid-semantic: WMS\\r\\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\\r\\nc=IN IP4 0.0.0.0\\r\\n" +
	strings.Repeat("a=candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host generation 0\\r\\n", 4) +
	"a=ice-ufrag:abcd\\r\\na=ice-pwd:abcdefghijklmnopqrstuvwx\\r\\na=fingerprint:sha-256 " + strings.Repeat("AB:", 31) + "AB\\r\\n" +
	"a=setup:actpass\\r\\na=mid:0\\r\\na=sctp-port:5000\\r\\na=max-message-size:262144\\r\\n"

func loadTracker(ctx context.Context, o trackerLoadOpts, log io.Writer) (*loadResult, error) {
	var offers, answers, replies, failures atomic.Int64
	peers := make([]*loadPeer, o.peers)
	dialer := &websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 4096}
	started := time.Now()
	// Connect and join, 100 at a time.
	sem := make(chan struct{}, 100)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for i := range peers {
		p := &loadPeer{
			peerID:   fmt.Sprintf("-BM0001-%012d", i),
			infoHash: fmt.Sprintf("swarm%015d", i%o.swarms),
			replies:  make(chan struct{}, 4),
		}
		peers[i] = p
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ws, _, err := dialer.DialContext(ctx, o.url, nil)
			if err != nil {
				select {
				case errc <- fmt.Errorf("connect peer %d: %w", i, err):
				default:
				}
				return
			}
			p.ws = ws
			go p.read(&offers, &answers, &replies, &failures)
			_ = p.send([]byte(`{"action":"announce","event":"started","numwant":0,"offers":[],"uploaded":0,"downloaded":0,"info_hash":"` +
				p.infoHash + `","peer_id":"` + p.peerID + `"}`))
			select {
			case <-p.replies:
			case <-time.After(30 * time.Second):
			}
		})
		select {
		case err := <-errc:
			wg.Wait()
			closeAll(peers)
			return nil, err
		default:
		}
	}
	wg.Wait()
	defer closeAll(peers)
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	fmt.Fprintf(log, "tracker-load: %d peers connected in %.1f s\n", o.peers, time.Since(started).Seconds())
	res := &loadResult{}
	if o.pid > 0 {
		time.Sleep(2 * time.Second) // let the joins settle
		res.idleRSS, _ = readRSS(o.pid)
	}
	offers.Store(0)
	answers.Store(0)

	// Announce with five offers, o.window at a time, peers in turn.
	mctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var next atomic.Int64
	offerList := ""
	for k := range 5 {
		if k > 0 {
			offerList += ","
		}
		offerList += fmt.Sprintf(`{"offer":{"type":"offer","sdp":"%s"},"offer_id":"offer%015d"}`, fakeSDP, k)
	}
	stopRSS := make(chan struct{})
	var rssWG sync.WaitGroup
	if o.pid > 0 {
		rssWG.Go(func() {
			for {
				if r, err := readRSS(o.pid); err == nil && r > res.peakRSS {
					res.peakRSS = r
				}
				select {
				case <-stopRSS:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	start := time.Now()
	before := replies.Load()
	var cpuBefore time.Duration
	if o.pid > 0 {
		cpuBefore, _ = procCPU(o.pid)
	}
	var lwg sync.WaitGroup
	for range o.window {
		lwg.Go(func() {
			for mctx.Err() == nil {
				p := peers[int(next.Add(1))%len(peers)]
				msg := `{"action":"announce","numwant":5,"uploaded":0,"downloaded":0,"info_hash":"` + p.infoHash +
					`","peer_id":"` + p.peerID + `","offers":[` + offerList + `]}`
				if err := p.send([]byte(msg)); err != nil {
					return
				}
				select {
				case <-p.replies:
				case <-mctx.Done():
					return
				case <-time.After(10 * time.Second):
				}
			}
		})
	}
	lwg.Wait()
	elapsed := time.Since(start)
	if o.pid > 0 {
		if after, err := procCPU(o.pid); err == nil {
			res.cpu = after - cpuBefore
		}
	}
	close(stopRSS)
	rssWG.Wait()
	res.announces = replies.Load() - before
	res.rate = float64(res.announces) / elapsed.Seconds()
	res.failures = failures.Load()
	res.offers, res.answers = offers.Load(), answers.Load()
	return res, nil
}

// read counts what arrives and answers every offer, as a browser would.
func (p *loadPeer) read(offers, answers, replies, failures *atomic.Int64) {
	for {
		_, b, err := p.ws.ReadMessage()
		if err != nil {
			return
		}
		// Both trackers write the same few shapes; the generator only
		// looks for the keys it needs, so that it costs less CPU than the
		// tracker it measures.
		switch {
		case bytes.Contains(b, []byte(`"offer":`)):
			offers.Add(1)
			peerID, offerID := field(b, `"peer_id":`), field(b, `"offer_id":`)
			if peerID == nil || offerID == nil {
				continue
			}
			_ = p.send([]byte(`{"action":"announce","info_hash":"` + p.infoHash + `","peer_id":"` + p.peerID +
				`","to_peer_id":` + string(peerID) + `,"answer":{"type":"answer","sdp":"` + fakeSDP + `"},"offer_id":` + string(offerID) + `}`))
		case bytes.Contains(b, []byte(`"answer":`)):
			answers.Add(1)
		case bytes.Contains(b, []byte(`"failure reason"`)):
			failures.Add(1)
			select {
			case p.replies <- struct{}{}:
			default:
			}
		case bytes.Contains(b, []byte(`"interval":`)):
			replies.Add(1)
			select {
			case p.replies <- struct{}{}:
			default:
			}
		}
	}
}

// field returns the JSON string value after key, quotes included; the
// benchmark's ids are plain ASCII.
func field(b []byte, key string) []byte {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return nil
	}
	v := b[i+len(key):]
	if len(v) < 2 || v[0] != '"' {
		return nil
	}
	end := bytes.IndexByte(v[1:], '"')
	if end < 0 {
		return nil
	}
	return v[:end+2]
}

func closeAll(peers []*loadPeer) {
	for _, p := range peers {
		if p != nil && p.ws != nil {
			p.ws.Close()
		}
	}
}
