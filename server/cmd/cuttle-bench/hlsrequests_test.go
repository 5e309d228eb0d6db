package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSegmentRequestsByteRanges(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"u-master.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=1280x720\nu-720.m3u8\n",
		"u-720.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
			"#EXT-X-MAP:URI=\"u-720-fragmented.mp4\",BYTERANGE=\"100@0\"\n" +
			"#EXTINF:4,\n#EXT-X-BYTERANGE:50@100\nu-720-fragmented.mp4\n" +
			"#EXTINF:2,\n#EXT-X-BYTERANGE:30@150\nu-720-fragmented.mp4\n#EXT-X-ENDLIST\n",
	})
	pls, err := readMediaPlaylists(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := segmentRequests(pls)
	if err != nil {
		t.Fatal(err)
	}
	want := []request{
		{file: "u-720-fragmented.mp4", ranged: true, start: 100, end: 149},
		{file: "u-720-fragmented.mp4", ranged: true, start: 150, end: 179},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests = %+v, want %+v", got, want)
	}
}

func TestSegmentRequestsRejectsGaps(t *testing.T) {
	dir := t.TempDir()
	// The second range has no offset, which grafov/m3u8 reads as 0.
	writeFiles(t, dir, map[string]string{
		"a.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n" +
			"#EXT-X-MAP:URI=\"a.mp4\",BYTERANGE=\"100@0\"\n" +
			"#EXTINF:4,\n#EXT-X-BYTERANGE:50@100\na.mp4\n" +
			"#EXTINF:4,\n#EXT-X-BYTERANGE:50\na.mp4\n#EXT-X-ENDLIST\n",
	})
	pls, err := readMediaPlaylists(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := segmentRequests(pls); err == nil || !strings.Contains(err.Error(), "previous range") {
		t.Errorf("err = %v, want one about the previous range", err)
	}
}

func TestRepackage(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"720p.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
			"#EXT-X-MAP:URI=\"720p-init.mp4\"\n" +
			"#EXTINF:4,\n720p-00000.m4s\n#EXTINF:2,\n720p-00001.m4s\n#EXT-X-ENDLIST\n",
		"720p-init.mp4":  "init",
		"720p-00000.m4s": "first",
		"720p-00001.m4s": "second",
	})
	pls, err := readMediaPlaylists(dir)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := segmentRequests(pls)
	if err != nil {
		t.Fatal(err)
	}
	if want := []request{{file: "720p-00000.m4s"}, {file: "720p-00001.m4s"}}; !reflect.DeepEqual(whole, want) {
		t.Errorf("old layout requests = %+v, want %+v", whole, want)
	}
}

func TestCheckTargetWantsRanges(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.mp4": "initfirstsecond"})
	reqs := []request{{file: "a.mp4", ranged: true, start: 4, end: 8}, {file: "a.mp4", ranged: true, start: 9, end: 14}}
	files := http.FileServer(http.Dir(dir))
	ranges := httptest.NewServer(http.StripPrefix("/hls/", files))
	defer ranges.Close()
	if err := checkTarget(context.Background(), ranges.URL, "/hls/", dir, reqs); err != nil {
		t.Errorf("a file server: %v", err)
	}
	whole := httptest.NewServer(http.StripPrefix("/hls/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Range")
		files.ServeHTTP(w, r)
	})))
	defer whole.Close()
	if err := checkTarget(context.Background(), whole.URL, "/hls/", dir, reqs); err == nil {
		t.Error("a server that ignores Range passed")
	}
}
