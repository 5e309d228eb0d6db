package pipeline

import (
	"bytes"
	"testing"

	"github.com/grafov/m3u8"

	"cuttle.video/transcoder/job"
)

func TestMasterPlaylistWithSubtitles(t *testing.T) {
	got, err := MasterPlaylist([]job.RenditionResult{
		result("360p", 640, 360, 900000, "avc1.64001e,mp4a.40.2"),
		result("720p", 1280, 720, 3000000, "avc1.64001f,mp4a.40.2"),
	}, Subtitle{Language: "en", Name: "English", Playlist: "caption-en.m3u8"},
		Subtitle{Language: "pt-BR", Name: "Português (Brasil)", Playlist: "caption-pt-BR.m3u8"})
	if err != nil {
		t.Fatal(err)
	}
	want := `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",DEFAULT=NO,AUTOSELECT=YES,LANGUAGE="en",URI="caption-en.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Português (Brasil)",DEFAULT=NO,AUTOSELECT=YES,LANGUAGE="pt-BR",URI="caption-pt-BR.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2700000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,SUBTITLES="subs",FRAME-RATE=29.970
0b8e7f52-5c1d-4e0a-9a43-2f6d1c9e8b70-720.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=810000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,SUBTITLES="subs",FRAME-RATE=29.970
0b8e7f52-5c1d-4e0a-9a43-2f6d1c9e8b70-360.m3u8
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	p, kind, err := m3u8.DecodeFrom(bytes.NewReader(got), true)
	if err != nil || kind != m3u8.MASTER {
		t.Fatalf("decode: %v", err)
	}
	if v := p.(*m3u8.MasterPlaylist).Variants; len(v) != 2 || len(v[0].Alternatives) == 0 || v[1].Subtitles != "subs" {
		t.Fatalf("decoded variants: %d, alternatives %d, subtitles %q", len(v), len(v[0].Alternatives), v[1].Subtitles)
	}
}

func TestMasterPlaylistRefusesBadSubtitles(t *testing.T) {
	r := result("720p", 1280, 720, 3000000, "avc1.64001f,mp4a.40.2")
	for name, s := range map[string][]Subtitle{
		"not a language": {{Language: "english!", Name: "English", Playlist: "caption-en.m3u8"}},
		"a quote":        {{Language: "en", Name: `Say "hi"`, Playlist: "caption-en.m3u8"}},
		"no playlist":    {{Language: "en", Name: "English"}},
		"same name":      {{Language: "en", Name: "English", Playlist: "a.m3u8"}, {Language: "en-GB", Name: "English", Playlist: "b.m3u8"}},
	} {
		if _, err := MasterPlaylist([]job.RenditionResult{r}, s...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSubtitlePlaylist(t *testing.T) {
	got, err := SubtitlePlaylist("caption-en.vtt", 10.04)
	if err != nil {
		t.Fatal(err)
	}
	want := `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-TARGETDURATION:11
#EXTINF:10.040,
caption-en.vtt
#EXT-X-ENDLIST
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := SubtitlePlaylist("caption-en.vtt", 0); err == nil {
		t.Error("a playlist without duration was written")
	}
}
