package pipeline

import (
	"errors"
	"strings"
	"testing"

	"cuttle.video/transcoder/job"
)

// testID is a fixed file id, so that expected playlists can be spelled out.
const testID = "0b8e7f52-5c1d-4e0a-9a43-2f6d1c9e8b70"

func result(name string, w, h, bandwidth int, codecs string) job.RenditionResult {
	r := job.RenditionResult{
		Rendition: job.Rendition{Name: name, Width: w, Height: h, FPS: 29.97, VideoKbps: 1, AudioKbps: 128, HasAudio: true},
		Codecs:    codecs, Bandwidth: bandwidth, AverageBandwidth: bandwidth * 9 / 10,
	}
	r.File, r.Playlist = job.FragmentedName(testID, r.Resolution()), job.PlaylistName(testID, r.Resolution())
	return r
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
0b8e7f52-5c1d-4e0a-9a43-2f6d1c9e8b70-720.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1500000,AVERAGE-BANDWIDTH=1350000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=854x480,FRAME-RATE=29.970
0b8e7f52-5c1d-4e0a-9a43-2f6d1c9e8b70-480.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=810000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=29.970
0b8e7f52-5c1d-4e0a-9a43-2f6d1c9e8b70-360.m3u8
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	decodeMaster(t, got)
}

func TestMasterPlaylistAudioOnly(t *testing.T) {
	audio := job.RenditionResult{
		Rendition: job.Rendition{Name: "audio", AudioKbps: 128, HasAudio: true},
		File:      job.FragmentedName(testID, 0), Playlist: job.PlaylistName(testID, 0),
		Codecs: "mp4a.40.2", Bandwidth: 140000, AverageBandwidth: 135000,
	}
	got, err := MasterPlaylist([]job.RenditionResult{audio})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=135000,CODECS=\"mp4a.40.2\"\n"+testID+"-0.m3u8\n") {
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

// goodPlaylist is what ffmpeg writes for a rendition of three segments
// in a file of 3000 bytes.
const goodPlaylist = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="{file}",BYTERANGE="600@0"
#EXTINF:4.000000,
#EXT-X-BYTERANGE:1000@600
{file}
#EXTINF:4.000000,
#EXT-X-BYTERANGE:900@1600
{file}
#EXTINF:1.500000,
#EXT-X-BYTERANGE:500@2500
{file}
#EXT-X-ENDLIST
`

func TestCheckMediaPlaylist(t *testing.T) {
	r := result("360p", 640, 360, 900000, "avc1.64001e,mp4a.40.2")
	r.Segments, r.Size = 3, 3000
	good := strings.ReplaceAll(goodPlaylist, "{file}", r.File)
	other := job.FragmentedName(job.NewFileID(), 360)
	files := map[string]bool{r.File: true, other: true}
	declared := func(n string) bool { return files[n] }
	if err := CheckMediaPlaylist([]byte(good), r, declared); err != nil {
		t.Fatalf("ffmpeg's playlist refused: %v", err)
	}
	crlf := strings.ReplaceAll(good, "\n", "\r\n")
	if err := CheckMediaPlaylist([]byte(crlf), r, declared); err != nil {
		t.Fatalf("CRLF playlist refused: %v", err)
	}
	seg := "#EXT-X-BYTERANGE:900@1600\n" + r.File
	for name, edit := range map[string]func(string) string{
		"absolute URI": func(s string) string {
			return strings.Replace(s, seg, "#EXT-X-BYTERANGE:900@1600\nhttps://evil.example/track.mp4", 1)
		},
		"key to another host": func(s string) string {
			return strings.Replace(s, "#EXT-X-INDEPENDENT-SEGMENTS", "#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-KEY:METHOD=AES-128,URI=\"https://evil.example/key?v=1\"", 1)
		},
		"session data": func(s string) string {
			return strings.Replace(s, "#EXT-X-VERSION:7", "#EXT-X-VERSION:7\n#EXT-X-SESSION-DATA:DATA-ID=\"x\",URI=\"https://evil.example/\"", 1)
		},
		"another file of the job": func(s string) string { return strings.Replace(s, seg, "#EXT-X-BYTERANGE:900@1600\n"+other, 1) },
		"other directory":         func(s string) string { return strings.Replace(s, seg, "#EXT-X-BYTERANGE:900@1600\n../x/"+r.File, 1) },
		"foreign init": func(s string) string {
			return strings.Replace(s, `URI="`+r.File+`"`, `URI="//evil.example/i.mp4"`, 1)
		},
		"init not at the start": func(s string) string { return strings.Replace(s, `BYTERANGE="600@0"`, `BYTERANGE="600@10"`, 1) },
		"second map before the real one": func(s string) string {
			return strings.Replace(s, "#EXT-X-MAP:", "#EXT-X-MAP:URI=\"https://evil.example/i.mp4\"\n#EXT-X-MAP:", 1)
		},
		"carriage return inside a line": func(s string) string {
			return strings.Replace(s, seg, "#EXT-X-BYTERANGE:900@1600\rhttps://evil.example/y\n"+r.File, 1)
		},
		"comment": func(s string) string { return strings.Replace(s, "#EXT-X-ENDLIST", "# hello\n#EXT-X-ENDLIST", 1) },
		"extra segment": func(s string) string {
			return strings.Replace(s, "#EXT-X-ENDLIST", "#EXTINF:1.0,\n#EXT-X-BYTERANGE:10@3000\n"+r.File+"\n#EXT-X-ENDLIST", 1)
		},
		"no end":          func(s string) string { return strings.Replace(s, "#EXT-X-ENDLIST", "", 1) },
		"attribute added": func(s string) string { return strings.Replace(s, "#EXTINF:4.000000,", "#EXTINF:4.000000,title", 1) },
		"gap between segments": func(s string) string {
			return strings.Replace(s, "#EXT-X-BYTERANGE:900@1600", "#EXT-X-BYTERANGE:800@1700", 1)
		},
		"overlapping segments": func(s string) string {
			return strings.Replace(s, "#EXT-X-BYTERANGE:900@1600", "#EXT-X-BYTERANGE:1000@1500", 1)
		},
		"range past the file": func(s string) string {
			return strings.Replace(s, "#EXT-X-BYTERANGE:500@2500", "#EXT-X-BYTERANGE:600@2500", 1)
		},
		"range without offset": func(s string) string {
			return strings.Replace(s, "#EXT-X-BYTERANGE:900@1600", "#EXT-X-BYTERANGE:900", 1)
		},
		"master playlist": func(string) string { return "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n" + r.File + "\n" },
		"missing header":  func(s string) string { return strings.TrimPrefix(s, "#EXTM3U\n") },
	} {
		err := CheckMediaPlaylist([]byte(edit(good)), r, declared)
		if !errors.Is(err, ErrBadOutput) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "evil") {
			t.Errorf("%s: the error repeats the playlist: %v", name, err)
		}
	}
	undeclared := func(n string) bool { return n != r.File }
	if err := CheckMediaPlaylist([]byte(good), r, undeclared); !errors.Is(err, ErrBadOutput) {
		t.Errorf("a playlist of a file the job did not declare: accepted (%v)", err)
	}
}

func TestCheckResult(t *testing.T) {
	good := func() *job.VODHLSResult {
		r := result("360p", 640, 360, 900000, "avc1.64001e,mp4a.40.2")
		sha := job.SegmentsName(job.NewFileID())
		return &job.VODHLSResult{
			Renditions:     []job.RenditionResult{r},
			Files:          []string{r.Playlist, r.File, sha, job.ThumbnailFile, job.PreviewFile},
			SegmentsSHA256: sha, Thumbnail: job.ThumbnailFile, Preview: job.PreviewFile,
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
		"playlist of another id": func(r *job.VODHLSResult) {
			r.Renditions[0].Playlist = job.PlaylistName(job.NewFileID(), 360)
		},
		"playlist with a new line": func(r *job.VODHLSResult) { r.Renditions[0].Playlist += "\nhttps://evil.example/a.m3u8" },
		"file of another resolution": func(r *job.VODHLSResult) {
			r.Renditions[0].File, r.Renditions[0].Playlist = job.FragmentedName(testID, 720), job.PlaylistName(testID, 720)
		},
		"legacy layout":        func(r *job.VODHLSResult) { r.Renditions[0].File = "" },
		"odd rendition name":   func(r *job.VODHLSResult) { r.Renditions[0].Name = "a.b" },
		"stray file":           func(r *job.VODHLSResult) { r.Files = append(r.Files, "index.html") },
		"file of no rendition": func(r *job.VODHLSResult) { r.Files = append(r.Files, job.FragmentedName(job.NewFileID(), 720)) },
		"other segment map":    func(r *job.VODHLSResult) { r.SegmentsSHA256 = r.Renditions[0].Playlist },
		"master named by the worker": func(r *job.VODHLSResult) {
			r.Master = job.MasterName(job.NewFileID())
		},
		"torrent made by the worker": func(r *job.VODHLSResult) { r.Renditions[0].InfoHash = "00" },
		"same file twice": func(r *job.VODHLSResult) {
			r.Renditions = append(r.Renditions, r.Renditions[0])
		},
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

// The playlist written for a repackaged rendition is one the server's
// own check accepts, with the ranges it was given.
func TestByteRangePlaylist(t *testing.T) {
	r := result("360p", 640, 360, 900000, "avc1.64001e,mp4a.40.2")
	r.Segments, r.Size = 3, 3000
	pl, err := ByteRangePlaylist(r.File, 600, []Segment{{4, 1000}, {4, 900}, {1.5, 500}})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(goodPlaylist, "{file}", r.File); string(pl) != want {
		t.Errorf("got\n%s\nwant\n%s", pl, want)
	}
	if err := CheckMediaPlaylist(pl, r, func(string) bool { return true }); err != nil {
		t.Errorf("refused: %v", err)
	}
	if d, err := SegmentDurations(pl); err != nil || len(d) != 3 || d[2] != 1.5 {
		t.Errorf("SegmentDurations = %v, %v", d, err)
	}
}
