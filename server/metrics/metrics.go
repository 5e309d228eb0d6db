// Package metrics aggregates what players report about playback and
// exposes it, with the tracker's counters, in the Prometheus text format.
// Reports are summed as they arrive; nothing per viewer is kept.
package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"cuttle.video/server/auth"
	"cuttle.video/server/problem"
	"cuttle.video/server/tracker"
)

// Report is one player's playback statistics since its previous report,
// in PeerTube's shape for POST /api/v1/metrics/playback.
type Report struct {
	PlayerMode          string   `json:"playerMode"`
	Resolution          *float64 `json:"resolution"`
	FPS                 *float64 `json:"fps"`
	P2PEnabled          bool     `json:"p2pEnabled"`
	P2PPeers            *float64 `json:"p2pPeers"`
	ResolutionChanges   float64  `json:"resolutionChanges"`
	Errors              float64  `json:"errors"`
	DownloadedBytesP2P  float64  `json:"downloadedBytesP2P"`
	DownloadedBytesHTTP float64  `json:"downloadedBytesHTTP"`
	UploadedBytesP2P    float64  `json:"uploadedBytesP2P"`
	BufferStalled       float64  `json:"bufferStalled"`
	VideoID             any      `json:"videoId"`
}

// maxCount bounds every counter of one report: a player cannot move a
// byte counter by more than a terabyte at once.
const maxCount = 1 << 40

// Validate checks a report's numbers.
func (r *Report) Validate() error {
	bad := map[string]string{}
	for name, v := range map[string]float64{
		"resolutionChanges": r.ResolutionChanges, "errors": r.Errors, "downloadedBytesP2P": r.DownloadedBytesP2P,
		"downloadedBytesHTTP": r.DownloadedBytesHTTP, "uploadedBytesP2P": r.UploadedBytesP2P, "bufferStalled": r.BufferStalled,
	} {
		if math.IsNaN(v) || v < 0 || v > maxCount {
			bad[name] = "must be a count between 0 and 2^40"
		}
	}
	if r.P2PPeers != nil && (math.IsNaN(*r.P2PPeers) || *r.P2PPeers < 0 || *r.P2PPeers > 10000) {
		bad["p2pPeers"] = "must be between 0 and 10000"
	}
	if r.Resolution != nil && (math.IsNaN(*r.Resolution) || *r.Resolution < 0 || *r.Resolution > 10000) {
		bad["resolution"] = "must be a height in pixels"
	}
	if r.VideoID == nil {
		bad["videoId"] = "required"
	}
	if len(bad) > 0 {
		return problem.Invalid(bad)
	}
	return nil
}

// ReportInterval is how often players report, as the player bundle and
// PeerTube's playbackStatsInterval say.
const ReportInterval = 15 * time.Second

// Players report every ReportInterval; a client key may send a few
// players' worth (a household or an office behind one address), and no
// more, so nobody can swamp the sums with made-up reports.
const (
	reportsPerClient = 60
	reportWindow     = time.Minute
)

// Playback sums reports.
type Playback struct {
	reportLimit *auth.Limiter

	mu          sync.Mutex
	reports     uint64
	p2pReports  uint64
	bytesP2P    float64
	bytesHTTP   float64
	uploadedP2P float64
	errors      float64
	stalls      float64
	peersSum    float64
	peersCount  uint64
	resolutions map[string]uint64
}

// NewPlayback returns empty counters.
func NewPlayback() *Playback {
	return &Playback{resolutions: map[string]uint64{}, reportLimit: auth.NewLimiter(reportsPerClient, reportWindow, nil)}
}

// Allow counts a report from client (see netlimit.Key) and refuses it
// when the client sent too many lately.
func (p *Playback) Allow(client string) error {
	if ok, wait := p.reportLimit.Allow(client); !ok {
		secs := int(wait.Seconds()) + 1
		return problem.New(http.StatusTooManyRequests, "too many playback reports from this address; retry in %d seconds", secs).
			WithHeader("Retry-After", strconv.Itoa(secs))
	}
	return nil
}

// knownHeights keeps the resolution label to a small set.
var knownHeights = map[int]bool{0: true, 144: true, 240: true, 360: true, 480: true, 720: true, 1080: true, 1440: true, 2160: true}

// Record adds a validated report.
func (p *Playback) Record(r Report) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reports++
	if r.P2PEnabled {
		p.p2pReports++
	}
	p.bytesP2P += r.DownloadedBytesP2P
	p.bytesHTTP += r.DownloadedBytesHTTP
	p.uploadedP2P += r.UploadedBytesP2P
	p.errors += r.Errors
	p.stalls += r.BufferStalled
	if r.P2PPeers != nil {
		p.peersSum += *r.P2PPeers
		p.peersCount++
	}
	if r.Resolution != nil {
		label := "other"
		if h := int(*r.Resolution); knownHeights[h] {
			label = strconv.Itoa(h)
		}
		p.resolutions[label]++
	}
}

// Handler serves the counters, and the tracker's when t is not nil, to
// whoever reaches it; callers decide who may.
func (p *Playback) Handler(t *tracker.Tracker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		// An error means the scraper went away; there is nobody to tell.
		_ = p.Write(w, t)
	})
}

// Write prints the counters, and the tracker's when t is not nil, in the
// Prometheus text exposition format.
func (p *Playback) Write(w io.Writer, t *tracker.Tracker) error {
	p.mu.Lock()
	res := make([]string, 0, len(p.resolutions))
	for k := range p.resolutions {
		res = append(res, k)
	}
	sort.Strings(res)
	var b []byte
	metric := func(name, typ, help string) {
		b = fmt.Appendf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	value := func(name, labels string, v float64) {
		b = fmt.Appendf(b, "%s%s %s\n", name, labels, strconv.FormatFloat(v, 'f', -1, 64))
	}
	metric("cuttle_playback_reports_total", "counter", "Playback reports received from players.")
	value("cuttle_playback_reports_total", "", float64(p.reports))
	value("cuttle_playback_reports_total", `{p2p="enabled"}`, float64(p.p2pReports))
	metric("cuttle_playback_downloaded_bytes_total", "counter", "Media bytes players downloaded, by source.")
	value("cuttle_playback_downloaded_bytes_total", `{source="p2p"}`, p.bytesP2P)
	value("cuttle_playback_downloaded_bytes_total", `{source="http"}`, p.bytesHTTP)
	metric("cuttle_playback_uploaded_bytes_p2p_total", "counter", "Media bytes players sent to their peers.")
	value("cuttle_playback_uploaded_bytes_p2p_total", "", p.uploadedP2P)
	metric("cuttle_playback_errors_total", "counter", "Player errors reported.")
	value("cuttle_playback_errors_total", "", p.errors)
	metric("cuttle_playback_buffer_stalled_total", "counter", "Times playback stalled on an empty buffer.")
	value("cuttle_playback_buffer_stalled_total", "", p.stalls)
	metric("cuttle_playback_p2p_peers", "summary", "Connected peers per report.")
	value("cuttle_playback_p2p_peers_sum", "", p.peersSum)
	value("cuttle_playback_p2p_peers_count", "", float64(p.peersCount))
	metric("cuttle_playback_resolution_reports_total", "counter", "Reports by the height being played.")
	for _, k := range res {
		value("cuttle_playback_resolution_reports_total", `{resolution="`+k+`"}`, float64(p.resolutions[k]))
	}
	p.mu.Unlock()
	if t != nil {
		st := t.Stats()
		for _, g := range []struct {
			name, typ, help string
			v               int64
		}{
			{"cuttle_tracker_connections", "gauge", "Open tracker sockets.", st.Connections},
			{"cuttle_tracker_swarms", "gauge", "Swarms with peers on this replica.", st.Swarms},
			{"cuttle_tracker_peers", "gauge", "Peers in swarms on this replica.", st.Peers},
			{"cuttle_tracker_announces_total", "counter", "Announces served.", st.Announces},
			{"cuttle_tracker_offers_total", "counter", "WebRTC offers forwarded.", st.Offers},
			{"cuttle_tracker_answers_total", "counter", "WebRTC answers forwarded.", st.Answers},
			{"cuttle_tracker_scrapes_total", "counter", "Scrapes served.", st.Scrapes},
			{"cuttle_tracker_refused_total", "counter", "Requests refused (unknown swarm, limits, malformed).", st.Refused},
			{"cuttle_tracker_reaped_total", "counter", "Sockets closed for not answering pings.", st.Reaped},
		} {
			metric(g.name, g.typ, g.help)
			value(g.name, "", float64(g.v))
		}
	}
	_, err := w.Write(b)
	return err
}
