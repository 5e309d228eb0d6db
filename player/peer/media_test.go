package peer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParseMediaByteRanges(t *testing.T) {
	const file = "5f1c-720-fragmented.mp4"
	hashes, err := parseHashes([]byte(`{"` + file + `": {"812-2811": "aa", "2812-3811": "bb", "3812-3911": "cc"}}`))
	if err != nil {
		t.Fatal(err)
	}
	text := "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
		`#EXT-X-MAP:URI="` + file + `",BYTERANGE="812@0"` + "\n" +
		"#EXTINF:4.000,\n#EXT-X-BYTERANGE:2000@812\n" + file + "\n" +
		// Without an offset, a range follows the previous one.
		"#EXTINF:4.000,\n#EXT-X-BYTERANGE:1000\n" + file + "\n" +
		"#EXTINF:0.500,\n#EXT-X-BYTERANGE:100@3812\n" + file + "\n#EXT-X-ENDLIST\n"
	m, err := parseMedia([]byte(text), mustURL(t, "https://v.example/static/p/u/5f1c-720.m3u8?videoFileToken=tok"), hashes)
	if err != nil {
		t.Fatal(err)
	}
	fileURL := "https://v.example/static/p/u/" + file + "?videoFileToken=tok"
	if m.InitURL != fileURL || !reflect.DeepEqual(m.InitRange, &byteRange{0, 811}) {
		t.Errorf("init = %s %v", m.InitURL, m.InitRange)
	}
	want := []segment{
		{URL: fileURL, Name: file, Range: &byteRange{812, 2811}, Duration: 4, SHA256: "aa"},
		{URL: fileURL, Name: file, Range: &byteRange{2812, 3811}, Duration: 4, SHA256: "bb"},
		{URL: fileURL, Name: file, Range: &byteRange{3812, 3911}, Duration: 0.5, SHA256: "cc"},
	}
	if !reflect.DeepEqual(m.Segments, want) {
		t.Errorf("segments:\n got %+v\nwant %+v", m.Segments, want)
	}
}

func TestParseMediaFiles(t *testing.T) {
	hashes, err := parseHashes([]byte(`{"720p-00000.m4s": "aa", "720p-00001.m4s": "bb"}`))
	if err != nil {
		t.Fatal(err)
	}
	text := "#EXTM3U\n#EXT-X-MAP:URI=\"720p-init.mp4\"\n#EXTINF:4.0,\n720p-00000.m4s\n#EXTINF:2.5,\n720p-00001.m4s\n#EXT-X-ENDLIST\n"
	m, err := parseMedia([]byte(text), mustURL(t, "https://v.example/static/hls/u/720p.m3u8"), hashes)
	if err != nil {
		t.Fatal(err)
	}
	if m.InitURL != "https://v.example/static/hls/u/720p-init.mp4" || m.InitRange != nil {
		t.Errorf("init = %s %v", m.InitURL, m.InitRange)
	}
	want := []segment{
		{URL: "https://v.example/static/hls/u/720p-00000.m4s", Name: "720p-00000.m4s", Duration: 4, SHA256: "aa"},
		{URL: "https://v.example/static/hls/u/720p-00001.m4s", Name: "720p-00001.m4s", Duration: 2.5, SHA256: "bb"},
	}
	if !reflect.DeepEqual(m.Segments, want) {
		t.Errorf("segments:\n got %+v\nwant %+v", m.Segments, want)
	}
}

// A hash of one shape never answers for a segment of the other.
func TestHashLookupKeepsShapesApart(t *testing.T) {
	h, err := parseHashes([]byte(`{"a.mp4": {"0-9": "aa"}, "b.m4s": "bb"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		r    *byteRange
		want string
	}{
		{"a.mp4", &byteRange{0, 9}, "aa"},
		{"a.mp4", &byteRange{0, 10}, ""},
		{"a.mp4", nil, ""},
		{"b.m4s", nil, "bb"},
		{"b.m4s", &byteRange{0, 9}, ""},
		{"c.m4s", nil, ""},
	} {
		if got := h.lookup(c.name, c.r); got != c.want {
			t.Errorf("lookup(%s, %v) = %q, want %q", c.name, c.r, got, c.want)
		}
	}
	if _, err := parseHashes([]byte(`{"a.mp4": 3}`)); err == nil {
		t.Error("a number was taken for a hash")
	}
}

func TestParseMediaRejects(t *testing.T) {
	for name, text := range map[string]string{
		"no offset first":       "#EXTINF:4,\n#EXT-X-BYTERANGE:100\na.mp4\n",
		"no offset, other file": "#EXTINF:4,\n#EXT-X-BYTERANGE:100@0\na.mp4\n#EXTINF:4,\n#EXT-X-BYTERANGE:100\nb.mp4\n",
		"no offset after file":  "#EXTINF:4,\na.m4s\n#EXTINF:4,\n#EXT-X-BYTERANGE:100\na.m4s\n",
		"zero length":           "#EXTINF:4,\n#EXT-X-BYTERANGE:0@0\na.mp4\n",
		"bad offset":            "#EXTINF:4,\n#EXT-X-BYTERANGE:10@x\na.mp4\n",
		"map without uri":       "#EXT-X-MAP:BYTERANGE=\"10@0\"\n#EXTINF:4,\na.mp4\n",
		"no segments":           "#EXTM3U\n#EXT-X-ENDLIST\n",
	} {
		if _, err := parseMedia([]byte(text), mustURL(t, "https://v.example/x/p.m3u8"), nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// loadRendition reads a byte-range rendition through the hash map's own
// URL, and its init section and segments come back as ranges of one file
// that match their hashes.
func TestLoadRenditionByteRanges(t *testing.T) {
	file := bytes.Repeat([]byte("0123456789abcdef"), 100) // 1600 bytes
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	files := map[string]string{
		"/u/abc-master.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\"\nabc-360.m3u8\n",
		"/u/abc-360.m3u8": "#EXTM3U\n#EXT-X-MAP:URI=\"abc-360-fragmented.mp4\",BYTERANGE=\"100@0\"\n" +
			"#EXTINF:4,\n#EXT-X-BYTERANGE:1000@100\nabc-360-fragmented.mp4\n#EXTINF:2,\n#EXT-X-BYTERANGE:500\nabc-360-fragmented.mp4\n#EXT-X-ENDLIST\n",
		"/u/abc-segments-sha256.json": fmt.Sprintf(`{"abc-360-fragmented.mp4": {"100-1099": %q, "1100-1599": %q}}`,
			sum(file[100:1100]), sum(file[1100:1600])),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("videoFileToken") != "tok" {
			http.Error(w, "no token", http.StatusForbidden)
			return
		}
		if r.URL.Path == "/u/abc-360-fragmented.mp4" {
			http.ServeContent(w, r, "f.mp4", time.Time{}, bytes.NewReader(file))
			return
		}
		text, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "x", time.Time{}, strings.NewReader(text))
	}))
	defer srv.Close()
	ctx := context.Background()
	rend, err := loadRendition(ctx, srv.Client(), srv.URL+"/u/abc-master.m3u8?videoFileToken=tok",
		srv.URL+"/u/abc-segments-sha256.json?videoFileToken=tok", "abc", 0)
	if err != nil {
		t.Fatal(err)
	}
	initData, err := get(ctx, srv.Client(), rend.InitURL, rend.InitRange, 1<<20)
	if err != nil || !bytes.Equal(initData, file[:100]) {
		t.Fatalf("init: %v", err)
	}
	if len(rend.Segments) != 2 {
		t.Fatalf("%d segments", len(rend.Segments))
	}
	for _, seg := range rend.Segments {
		data, err := get(ctx, srv.Client(), seg.URL, seg.Range, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if !seg.valid(data) {
			t.Errorf("%s does not match its hash", seg)
		}
	}
}

// A server that ignores Range sends the whole file: that is not the
// segment.
func TestGetRangeNeedsPartialContent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 1000))
	}))
	defer srv.Close()
	if _, err := get(context.Background(), srv.Client(), srv.URL, &byteRange{0, 99}, 1<<20); err == nil {
		t.Error("a 200 answer was taken for a range")
	}
}
