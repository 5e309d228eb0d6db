package pipeline

import (
	"errors"
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

// goodPlaylist is what ffmpeg writes for a rendition of three segments.
const goodPlaylist = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="360p-init.mp4"
#EXTINF:4.000000,
360p-00000.m4s
#EXTINF:4.000000,
360p-00001.m4s
#EXTINF:1.500000,
360p-00002.m4s
#EXT-X-ENDLIST
`

func TestCheckMediaPlaylist(t *testing.T) {
	r := job.RenditionResult{Rendition: job.Rendition{Name: "360p"}, Playlist: "360p.m3u8", Segments: 3}
	files := map[string]bool{"360p-init.mp4": true, "360p-00000.m4s": true, "360p-00001.m4s": true, "360p-00002.m4s": true, "360p-00003.m4s": true}
	declared := func(n string) bool { return files[n] }
	if err := CheckMediaPlaylist([]byte(goodPlaylist), r, declared); err != nil {
		t.Fatalf("ffmpeg's playlist refused: %v", err)
	}
	crlf := strings.ReplaceAll(goodPlaylist, "\n", "\r\n")
	if err := CheckMediaPlaylist([]byte(crlf), r, declared); err != nil {
		t.Fatalf("CRLF playlist refused: %v", err)
	}
	for name, edit := range map[string]func(string) string{
		"absolute URI": func(s string) string {
			return strings.Replace(s, "360p-00001.m4s", "https://evil.example/track.m4s", 1)
		},
		"key to another host": func(s string) string {
			return strings.Replace(s, "#EXTINF:4.000000,\n360p-00000.m4s", "#EXT-X-KEY:METHOD=AES-128,URI=\"https://evil.example/key?v=1\"\n#EXTINF:4.000000,\n360p-00000.m4s", 1)
		},
		"session data": func(s string) string {
			return strings.Replace(s, "#EXT-X-VERSION:7", "#EXT-X-VERSION:7\n#EXT-X-SESSION-DATA:DATA-ID=\"x\",URI=\"https://evil.example/\"", 1)
		},
		"undeclared file": func(s string) string { return strings.Replace(s, "360p-00002.m4s", "360p-00009.m4s", 1) },
		"other directory": func(s string) string { return strings.Replace(s, "360p-00002.m4s", "../other/360p-00002.m4s", 1) },
		"foreign init": func(s string) string {
			return strings.Replace(s, `URI="360p-init.mp4"`, `URI="//evil.example/i.mp4"`, 1)
		},
		"second map before the real one": func(s string) string {
			return strings.Replace(s, `#EXT-X-MAP:URI="360p-init.mp4"`, "#EXT-X-MAP:URI=\"https://evil.example/i.mp4\"\n#EXT-X-MAP:URI=\"360p-init.mp4\"", 1)
		},
		"carriage return inside a line": func(s string) string {
			return strings.Replace(s, "#EXTINF:4.000000,\n360p-00000.m4s", "#EXTINF:4.000000,\rhttps://evil.example/y\n360p-00000.m4s", 1)
		},
		"comment": func(s string) string { return strings.Replace(s, "#EXT-X-ENDLIST", "# hello\n#EXT-X-ENDLIST", 1) },
		"extra segment": func(s string) string {
			return strings.Replace(s, "#EXT-X-ENDLIST", "#EXTINF:1.0,\n360p-00003.m4s\n#EXT-X-ENDLIST", 1)
		},
		"no end":          func(s string) string { return strings.Replace(s, "#EXT-X-ENDLIST", "", 1) },
		"attribute added": func(s string) string { return strings.Replace(s, "#EXTINF:4.000000,", "#EXTINF:4.000000,title", 1) },
		"byte range": func(s string) string {
			return strings.Replace(s, "#EXT-X-ENDLIST", "#EXT-X-BYTERANGE:10@0\n#EXT-X-ENDLIST", 1)
		},
		"master playlist": func(string) string { return "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p-00000.m4s\n" },
		"missing header":  func(s string) string { return strings.TrimPrefix(s, "#EXTM3U\n") },
		"segments swapped": func(s string) string {
			return strings.Replace(strings.Replace(s, "00000", "0000X", 1), "00001", "00000", 1)
		},
	} {
		err := CheckMediaPlaylist([]byte(edit(goodPlaylist)), r, declared)
		if !errors.Is(err, ErrBadOutput) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "evil") {
			t.Errorf("%s: the error repeats the playlist: %v", name, err)
		}
	}
}

func TestCheckResult(t *testing.T) {
	good := func() *job.VODHLSResult {
		return &job.VODHLSResult{
			Renditions:     []job.RenditionResult{{Rendition: job.Rendition{Name: "360p"}, Playlist: "360p.m3u8", Codecs: "avc1.64001e,mp4a.40.2"}},
			Files:          []string{"360p.m3u8", "360p-init.mp4", "360p-00000.m4s", job.SegmentsFile, job.ThumbnailFile, job.PreviewFile},
			SegmentsSHA256: job.SegmentsFile, Thumbnail: job.ThumbnailFile, Preview: job.PreviewFile,
		}
	}
	if err := CheckResult(good()); err != nil {
		t.Fatalf("good result refused: %v", err)
	}
	for name, edit := range map[string]func(*job.VODHLSResult){
		"codecs closing the quote": func(r *job.VODHLSResult) { r.Renditions[0].Codecs = `avc1.64001e",URI="https://evil.example/` },
		"codecs with a new line":   func(r *job.VODHLSResult) { r.Renditions[0].Codecs = "avc1\n#EXT-X-KEY" },
		"empty codecs":             func(r *job.VODHLSResult) { r.Renditions[0].Codecs = "" },
		"playlist of another name": func(r *job.VODHLSResult) { r.Renditions[0].Playlist = "x.m3u8" },
		"playlist with a new line": func(r *job.VODHLSResult) { r.Renditions[0].Playlist = "360p.m3u8\nhttps://evil.example/a.m3u8" },
		"odd rendition name":       func(r *job.VODHLSResult) { r.Renditions[0].Name, r.Renditions[0].Playlist = "a.b", "a.b.m3u8" },
		"stray file":               func(r *job.VODHLSResult) { r.Files = append(r.Files, "index.html") },
		"file of no rendition":     func(r *job.VODHLSResult) { r.Files = append(r.Files, "720p-00000.m4s") },
		"other segment map":        func(r *job.VODHLSResult) { r.SegmentsSHA256 = "360p.m3u8" },
	} {
		res := good()
		edit(res)
		if err := CheckResult(res); !errors.Is(err, ErrBadOutput) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
	bad := good()
	bad.Renditions[0].Codecs = `avc1",X="y`
	if _, err := MasterPlaylist(bad.Renditions); !errors.Is(err, ErrBadOutput) {
		t.Errorf("master playlist with unchecked codecs: %v", err)
	}
}
