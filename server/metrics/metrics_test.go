package metrics

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func ptr(f float64) *float64 { return &f }

func TestPlayback(t *testing.T) {
	p := NewPlayback()
	for _, r := range []Report{
		{P2PEnabled: true, P2PPeers: ptr(2), Resolution: ptr(720), DownloadedBytesP2P: 1000, DownloadedBytesHTTP: 500, UploadedBytesP2P: 300, VideoID: "v"},
		{Resolution: ptr(721), DownloadedBytesHTTP: 200, Errors: 1, BufferStalled: 2, VideoID: 3},
	} {
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		p.Record(r)
	}
	var b bytes.Buffer
	if err := p.Write(&b, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"cuttle_playback_reports_total 2\n", `cuttle_playback_reports_total{p2p="enabled"} 1`,
		`cuttle_playback_downloaded_bytes_total{source="p2p"} 1000`, `cuttle_playback_downloaded_bytes_total{source="http"} 700`,
		"cuttle_playback_uploaded_bytes_p2p_total 300", "cuttle_playback_errors_total 1", "cuttle_playback_buffer_stalled_total 2",
		"cuttle_playback_p2p_peers_sum 2", `cuttle_playback_resolution_reports_total{resolution="720"} 1`,
		`cuttle_playback_resolution_reports_total{resolution="other"} 1`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}

func TestReportValidate(t *testing.T) {
	for _, r := range []Report{
		{DownloadedBytesP2P: -1, VideoID: 1},
		{DownloadedBytesHTTP: math.NaN(), VideoID: 1},
		{UploadedBytesP2P: 1 << 41, VideoID: 1},
		{P2PPeers: ptr(1e6), VideoID: 1},
		{},
	} {
		if r.Validate() == nil {
			t.Errorf("%+v passed", r)
		}
	}
}
