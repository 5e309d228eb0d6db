package pipeline

import (
	"strings"
	"testing"

	"cuttle.video/transcoder/job"
)

func result(name string, w, h, bandwidth int, codecs string) job.RenditionResult {
	return job.RenditionResult{
		Rendition: job.Rendition{Name: name, Width: w, Height: h, FPS: 29.97, VideoKbps: 1, AudioKbps: 128, HasAudio: true},
		Playlist:  name + ".m3u8", Codecs: codecs, Bandwidth: bandwidth, AverageBandwidth: bandwidth * 9 / 10,
	}
}

func TestMasterPlaylist(t *testing.T) {
	got, err := MasterPlaylist([]job.RenditionResult{
		result("360p", 640, 360, 900000, "avc1.64001e,mp4a.40.2"),
		result("720p", 1280, 720, 3000000, "avc1.64001f,mp4a.40.2"),
		result("480p", 854, 480, 1500000, "avc1.64001e,mp4a.40.2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2700000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970
720p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1500000,AVERAGE-BANDWIDTH=1350000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=854x480,FRAME-RATE=29.970
480p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=810000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=29.970
360p.m3u8
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	decodeMaster(t, got)
}

func TestMasterPlaylistAudioOnly(t *testing.T) {
	audio := job.RenditionResult{
		Rendition: job.Rendition{Name: "audio", AudioKbps: 128, HasAudio: true},
		Playlist:  "audio.m3u8", Codecs: "mp4a.40.2", Bandwidth: 140000, AverageBandwidth: 135000,
	}
	got, err := MasterPlaylist([]job.RenditionResult{audio})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=135000,CODECS=\"mp4a.40.2\"\naudio.m3u8\n") {
		t.Errorf("got\n%s", got)
	}
}

func TestMasterPlaylistRefuses(t *testing.T) {
	good := result("720p", 1280, 720, 3000000, "avc1.64001f,mp4a.40.2")
	for name, change := range map[string]func(*job.RenditionResult){
		"no codecs":                  func(r *job.RenditionResult) { r.Codecs = "" },
		"no playlist":                func(r *job.RenditionResult) { r.Playlist = "" },
		"no bandwidth":               func(r *job.RenditionResult) { r.Bandwidth = 0 },
		"average above peak":         func(r *job.RenditionResult) { r.AverageBandwidth = r.Bandwidth + 1 },
		"bandwidth beyond HLS range": func(r *job.RenditionResult) { r.Bandwidth = 1 << 33 },
	} {
		r := good
		change(&r)
		if _, err := MasterPlaylist([]job.RenditionResult{r}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := MasterPlaylist(nil); err == nil {
		t.Error("no renditions: accepted")
	}
}

func TestAVCCodec(t *testing.T) {
	tests := []struct {
		profile string
		level   int
		want    string
	}{
		{"High", 40, "avc1.640028"},
		{"High", 31, "avc1.64001f"},
		{"Main", 30, "avc1.4d401e"},
		{"Constrained Baseline", 12, "avc1.42c00c"},
	}
	for _, tt := range tests {
		got, err := avcCodec("h264", tt.profile, tt.level)
		if err != nil || got != tt.want {
			t.Errorf("avcCodec(%s, %d) = %q, %v; want %q", tt.profile, tt.level, got, err, tt.want)
		}
	}
	if _, err := avcCodec("h264", "High 4:4:4 Predictive", 31); err == nil {
		t.Error("High 4:4:4 accepted")
	}
	if _, err := avcCodec("hevc", "Main", 93); err == nil {
		t.Error("HEVC accepted")
	}
}
