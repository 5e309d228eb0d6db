package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"cuttle.video/player/peer"
	"cuttle.video/server/config"
	"cuttle.video/server/p2p"
	"cuttle.video/server/servertest"
)

// p2pBrowser starts headless Chromium able to make WebRTC connections to
// other pages and processes on this machine: host candidates on loopback,
// with real addresses instead of mDNS names, and no STUN server.
func p2pBrowser(t *testing.T) context.Context {
	t.Helper()
	return browser(t,
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
		// Tabs in the background keep playing and answering peers.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
	)
}

// smallClip is a 144p clip: one rendition, so every viewer is in the same
// swarm whatever quality hls.js would pick.
func smallClip(t *testing.T, seconds int) string {
	t.Helper()
	d := strconv.Itoa(seconds)
	return servertest.Generate(t, "clip144.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=256x144:rate=30:duration="+d,
		"-f", "lavfi", "-i", "sine=frequency=440:duration="+d,
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest")
}

// publishedSmallClip uploads a 144p clip and waits until it plays.
func publishedSmallClip(t *testing.T, s *servertest.Server, seconds int) videoState {
	t.Helper()
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, smallClip(t, seconds), "Shared")
	v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 1, 7)
	if v.State.ID != 1 {
		t.Fatalf("transcoding failed: %s", v.StateReason)
	}
	return v
}

// page is one watch page in its own tab.
type page struct {
	t   *testing.T
	ctx context.Context
	end context.CancelFunc
}

// openWatch opens a watch page and plays at rate. A viewer who only has to
// hold the segments for others may play fast; one who should get them from
// peers plays at 1, since the player fetches over HTTP whatever is due
// within a window of playback time, which a higher rate widens.
func openWatch(t *testing.T, browser context.Context, url string, rate float64) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	ctx, cancelT := context.WithTimeout(ctx, 4*time.Minute)
	p := &page{t: t, ctx: ctx, end: func() { cancelT(); cancel() }}
	t.Cleanup(p.end)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`(() => { const v = document.getElementById('player'); v.muted = true; v.playbackRate = `+strconv.FormatFloat(rate, 'f', -1, 64)+`; v.play(); return true })()`)); err != nil {
		t.Fatalf("start playback: %v", err)
	}
	return p
}

type pageState struct {
	Time     float64  `json:"time"`
	Duration float64  `json:"duration"`
	Ended    bool     `json:"ended"`
	Errors   []string `json:"errors"`
	P2P      struct {
		Enabled            bool    `json:"enabled"`
		DownloadedBytesP2P float64 `json:"downloadedBytesP2P"`
		UploadedBytesP2P   float64 `json:"uploadedBytesP2P"`
		RejectedSegments   int     `json:"rejectedSegments"`
		Peers              int     `json:"peers"`
	} `json:"p2p"`
}

func (p *page) state() pageState {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[pageState](`(() => { const v = document.getElementById('player');
		return {time: v.currentTime, duration: v.duration || 0, ended: v.ended,
			errors: (window.cuttlePlayerErrors || []).filter(e => !e.recovering).map(e => String(e.details || e.message || e)),
			p2p: window.cuttleP2PStats || {}} })()`))
	if err != nil {
		p.t.Fatalf("read the page: %v", err)
	}
	return s
}

// waitPage polls the page until cond holds; a player error fails at once.
func (p *page) wait(what string, timeout time.Duration, cond func(pageState) bool) pageState {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := p.state()
		if len(s.Errors) > 0 {
			p.t.Fatalf("the player reported errors: %v", s.Errors)
		}
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: not reached in %v; page state %+v", what, timeout, s)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func playedThrough(s pageState) bool { return s.Ended || (s.Duration > 0 && s.Time > s.Duration-1) }

// goPeer joins a video's swarm on s, as the watch page's player would.
func goPeer(t *testing.T, s *servertest.Server, v videoState, cfg peer.Config) *peer.Client {
	t.Helper()
	cfg.Tracker = p2p.TrackerURL(s.URL, v.UUID, "")
	cfg.Master = v.StreamingPlaylists[0].PlaylistURL
	cfg.Hashes = v.StreamingPlaylists[0].SegmentsSha256URL
	cfg.SwarmID = v.UUID
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := peer.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("go peer: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestP2PTwoBrowsers(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		browser := p2pBrowser(t)
		s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
		twoBrowsers(t, browser, publishedSmallClip(t, s, 40), s, s)
	})
	// Each viewer on its own replica: they meet through the shared
	// tracker, and what neither has yet comes from the bucket.
	t.Run("s3-replicas", func(t *testing.T) {
		browser := p2pBrowser(t)
		a, b := twoReplicas(t)
		twoBrowsers(t, browser, publishedSmallClip(t, a, 40), a, b)
	})
}

// twoBrowsers has a first viewer on sa play v through, then a second on
// sb get segments from the first, then switch P2P off.
func twoBrowsers(t *testing.T, browser context.Context, v videoState, sa, sb *servertest.Server) {
	t.Helper()
	a := openWatch(t, browser, sa.URL+"/w/"+v.ShortUUID, 4)
	a.wait("the first viewer plays through", 2*time.Minute, playedThrough)

	b := openWatch(t, browser, sb.URL+"/w/"+v.ShortUUID, 1)
	stb := b.wait("the second viewer gets segments from the first", 2*time.Minute, func(s pageState) bool {
		return s.P2P.Enabled && s.P2P.DownloadedBytesP2P > 0 && s.Time > 5
	})
	sta := a.wait("the first viewer uploads", 30*time.Second, func(s pageState) bool { return s.P2P.UploadedBytesP2P > 0 })
	stb = b.wait("the second viewer plays through", 2*time.Minute, playedThrough)
	t.Logf("first viewer uploaded %.0f bytes; second downloaded %.0f bytes from peers", sta.P2P.UploadedBytesP2P, stb.P2P.DownloadedBytesP2P)

	// Players report their statistics to the replica that served their
	// page; it sums them up.
	deadline := time.Now().Add(45 * time.Second)
	re := regexp.MustCompile(`cuttle_playback_downloaded_bytes_total\{source="p2p"\} (\d+)`)
	for {
		m := re.FindStringSubmatch(metricsOf(t, sb))
		if m != nil && m[1] != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no P2P bytes in /metrics:\n%s", metricsOf(t, sb))
		}
		time.Sleep(time.Second)
	}

	// The viewer's switch: P2P off, the page still plays.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { document.getElementById('p2p-toggle').click(); return true })()`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the page reloads
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](
		`(() => { const v = document.getElementById('player'); v.muted = true; v.play(); return true })()`)); err != nil {
		t.Fatal(err)
	}
	off := b.wait("playback with P2P switched off", time.Minute, func(s pageState) bool { return s.Time > 2 })
	if off.P2P.Enabled {
		t.Fatal("P2P still on after the viewer switched it off")
	}
	if checked, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.getElementById('p2p-toggle').checked`)); err != nil || checked {
		t.Fatalf("the switch shows %v (%v)", checked, err)
	}
}

func TestP2PGoPeerAndBrowser(t *testing.T) {
	browser := p2pBrowser(t)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	v := publishedSmallClip(t, s, 40)
	watch := s.URL + "/w/" + v.ShortUUID

	// Browser to Go: the page has played the video; the Go peer plays it
	// after and takes segments from the page.
	a := openWatch(t, browser, watch, 4)
	a.wait("the browser plays through", 2*time.Minute, playedThrough)
	g := goPeer(t, s, v, peer.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := g.Play(ctx, peer.PlayOptions{Speed: 4, HTTPMargin: 3 * time.Second}); err != nil {
		t.Fatalf("go peer play: %v", err)
	}
	gs := g.Stats()
	if gs.DownloadedP2P == 0 || gs.SegmentsP2P == 0 {
		t.Fatalf("the Go peer got nothing from the browser: %+v", gs)
	}
	a.wait("the browser uploads to the Go peer", 30*time.Second, func(s pageState) bool { return s.P2P.UploadedBytesP2P > 0 })
	a.end()

	// Go to browser: the first page is gone, the Go peer holds every
	// segment; a new page takes segments from it.
	b := openWatch(t, browser, watch, 1)
	b.wait("the browser gets segments from the Go peer", 2*time.Minute, func(s pageState) bool {
		return s.P2P.DownloadedBytesP2P > 0 && s.Time > 3
	})
	b.wait("the browser plays through", 2*time.Minute, playedThrough)
	if up := g.Stats().UploadedP2P; up == 0 {
		t.Fatal("the Go peer uploaded nothing")
	}
	t.Logf("Go peer: %+v", g.Stats())
}

func TestP2PCorruptedSegmentRejected(t *testing.T) {
	browser := p2pBrowser(t)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	v := publishedSmallClip(t, s, 40)

	// A peer that holds every segment and sends each one corrupted.
	liar := goPeer(t, s, v, peer.Config{Corrupt: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := liar.Seed(ctx); err != nil {
		t.Fatalf("seed: %v", err)
	}

	// A Go peer rejects what it got, drops the liar and plays the right
	// bytes from HTTP (it only stores segments matching their hash).
	honest := goPeer(t, s, v, peer.Config{})
	if err := honest.Play(ctx, peer.PlayOptions{Speed: 8, HTTPMargin: 2 * time.Second}); err != nil {
		t.Fatalf("play: %v", err)
	}
	hs := honest.Stats()
	if hs.Rejected == 0 || hs.SegmentsHTTP != honest.Segments() || hs.SegmentsP2P != 0 {
		t.Fatalf("Go peer next to a liar: %+v", hs)
	}
	honest.Close()

	// The browser does the same: the segment fails its check, the liar is
	// disconnected, and playback goes on with the segment from HTTP.
	b := openWatch(t, browser, s.URL+"/w/"+v.ShortUUID, 1)
	b.wait("the browser rejects a corrupted segment", 2*time.Minute, func(s pageState) bool { return s.P2P.RejectedSegments > 0 })
	st := b.wait("the browser plays through", 2*time.Minute, playedThrough)
	if st.P2P.DownloadedBytesP2P != 0 {
		t.Fatalf("the browser accepted %v bytes from the liar", st.P2P.DownloadedBytesP2P)
	}
}

func TestP2PAcrossReplicas(t *testing.T) {
	a, b := twoReplicas(t)
	v := publishedSmallClip(t, a, 20)

	// One viewer on each replica: they still meet and share.
	first := goPeer(t, a, v, peer.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := first.Seed(ctx); err != nil {
		t.Fatalf("seed: %v", err)
	}
	second := goPeer(t, b, v, peer.Config{})
	if err := second.Play(ctx, peer.PlayOptions{Speed: 4, HTTPMargin: 2 * time.Second}); err != nil {
		t.Fatalf("play: %v", err)
	}
	st := second.Stats()
	if st.SegmentsP2P == 0 || first.Stats().UploadedP2P == 0 {
		t.Fatalf("no segments across replicas: second %+v, first %+v", st, first.Stats())
	}
	for _, srv := range []*servertest.Server{a, b} {
		if !strings.Contains(metricsOf(t, srv), "cuttle_tracker_peers 1\n") {
			t.Errorf("replica %s does not hold exactly one peer:\n%s", srv.URL, metricsOf(t, srv))
		}
	}
}

func TestTrackerRefusals(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	v := publishedSmallClip(t, s, 8)

	dial := func(url string) (*websocket.Conn, int) {
		ws, res, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			if res == nil {
				t.Fatalf("dial %s: %v", url, err)
			}
			return nil, res.StatusCode
		}
		t.Cleanup(func() { ws.Close() })
		return ws, http.StatusSwitchingProtocols
	}
	// A video this instance does not know.
	if _, code := dial(p2p.TrackerURL(s.URL, "6f1c2a5e-0000-4000-8000-000000000000", "")); code != http.StatusNotFound {
		t.Fatalf("unknown video: %d", code)
	}
	// A known video, a swarm that is not one of its renditions'.
	ws, code := dial(p2p.TrackerURL(s.URL, v.UUID, ""))
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("public video: %d", code)
	}
	if err := ws.WriteJSON(map[string]any{"action": "announce", "info_hash": "unknownunknownunknow", "peer_id": "-PM0203-aaaaaaaaaaaa",
		"numwant": 0, "offers": []any{}, "event": "started"}); err != nil {
		t.Fatal(err)
	}
	var reply map[string]any
	if err := ws.ReadJSON(&reply); err != nil || reply["failure reason"] != "unknown swarm" {
		t.Fatalf("unknown swarm: %v %v", reply, err)
	}
	// The video's own swarm is served.
	g := goPeer(t, s, v, peer.Config{})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(metricsOf(t, s), "cuttle_tracker_peers 1\n") {
		if time.Now().After(deadline) {
			t.Fatalf("the Go peer did not join (tracker said %q)", g.TrackerError())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A private video's swarm needs a valid file token.
	root := s.Root(t)
	root.Do("PUT", "/api/v1/videos/"+v.UUID, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)
	if _, code := dial(p2p.TrackerURL(s.URL, v.UUID, "")); code != http.StatusForbidden {
		t.Fatalf("private video without a token: %d", code)
	}
	if _, code := dial(p2p.TrackerURL(s.URL, v.UUID, "not-a-token")); code != http.StatusForbidden {
		t.Fatalf("private video with a wrong token: %d", code)
	}
	// With a file token from the API, the swarm is open again.
	var tok struct {
		Files struct {
			Token string `json:"token"`
		} `json:"files"`
	}
	root.Do("POST", "/api/v1/videos/"+v.UUID+"/token", nil).Expect(http.StatusOK).JSON(&tok)
	deadline = time.Now().Add(20 * time.Second)
	for {
		// The files move to private storage after the privacy change.
		_, code := dial(p2p.TrackerURL(s.URL, v.UUID, tok.Files.Token))
		if code == http.StatusSwitchingProtocols {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("private video with a valid token: %d", code)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The admin's switch: no tracker at all.
	off := servertest.Start(t, servertest.SQLite, func(c *config.Config) { c.P2P.Enabled = false })
	if _, code := dial(p2p.TrackerURL(off.URL, v.UUID, "")); code != http.StatusNotFound {
		t.Fatalf("tracker with P2P off: %d", code)
	}
}
