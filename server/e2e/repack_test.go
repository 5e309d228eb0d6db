package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafov/m3u8"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/servertest"
	"cuttle.video/transcoder/job"
)

// A video transcoded before the fragmented layout (a file per segment)
// is repackaged when the server starts: it then plays in the browser
// from one fragmented MP4 per rendition, every byte range hashing as the
// new map says, and its segments hash as they did before.
func TestRepackagedVideoPlays(t *testing.T) {
	ctx := browser(t)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	up := publishedClip(t, s)
	var before []string
	s.RestartAfter(t, func() { before = toLegacyLayout(t, s, up.UUID) })

	user := s.Anonymous(t)
	deadline := time.Now().Add(2 * time.Minute)
	var v videoState
	for {
		user.Do("GET", "/api/v1/videos/"+up.UUID, nil).Expect(http.StatusOK).JSON(&v)
		if len(v.StreamingPlaylists) == 1 && strings.HasSuffix(v.StreamingPlaylists[0].PlaylistURL, "-master.m3u8") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the video was not repackaged: %+v", v.StreamingPlaylists)
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkHLS(t, v, 10, fullLadder)
	var after map[string]map[string]string
	user.Raw("GET", v.StreamingPlaylists[0].SegmentsSha256URL, nil, nil).Expect(http.StatusOK).JSON(&after)
	var hashes []string
	for _, ranges := range after {
		for _, h := range ranges {
			hashes = append(hashes, h)
		}
	}
	slices.Sort(hashes)
	if !slices.Equal(hashes, before) {
		t.Errorf("the segments' hashes changed: %d after, %d before", len(hashes), len(before))
	}
	plays(t, ctx, s.URL+"/w/"+up.ShortUUID)
}

// toLegacyLayout rewrites a published video's files as the previous
// pipeline stored them, while the server is down: each rendition split
// into NAME-init.mp4 and NAME-00000.m4s onwards with its playlist
// NAME.m3u8, master.m3u8, a flat segments-sha256.json, and the result in
// the database to match. It returns the sorted hashes of the segments.
func toLegacyLayout(t *testing.T, s *servertest.Server, videoUUID string) []string {
	t.Helper()
	bg := context.Background()
	db, err := database.Open(bg, s.Config.DatabaseURL, s.Config.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.VideoByUUID(bg, videoUUID)
	if err != nil {
		t.Fatal(err)
	}
	res := media.Result(v)
	dir := filepath.Join(s.Config.DataDir, "media", media.MediaPrefix(v))
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var oldHashes map[string]map[string]string
	if err := json.Unmarshal(read(res.SegmentsSHA256), &oldHashes); err != nil {
		t.Fatal(err)
	}
	master := string(read(res.Master))
	flat := map[string]string{}
	legacy := *res
	legacy.Master, legacy.SegmentsSHA256 = "", job.LegacySegmentsFile
	legacy.Files = []string{job.LegacySegmentsFile, job.ThumbnailFile, job.PreviewFile}
	legacy.Renditions = nil
	remove := []string{res.Master, res.SegmentsSHA256}
	for _, r := range res.Renditions {
		file := read(r.File)
		p, _, err := m3u8.DecodeFrom(bytes.NewReader(read(r.Playlist)), true)
		if err != nil {
			t.Fatal(err)
		}
		pl := p.(*m3u8.MediaPlaylist)
		var text strings.Builder
		fmt.Fprintf(&text, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"+
			"#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"%s-init.mp4\"\n", int(pl.TargetDuration), r.Name)
		write(r.Name+"-init.mp4", file[:pl.Map.Limit])
		n := 0
		for _, seg := range pl.Segments {
			if seg == nil {
				continue
			}
			name := fmt.Sprintf("%s-%05d.m4s", r.Name, n)
			write(name, file[seg.Offset:seg.Offset+seg.Limit])
			flat[name] = oldHashes[r.File][fmt.Sprintf("%d-%d", seg.Offset, seg.Offset+seg.Limit-1)]
			fmt.Fprintf(&text, "#EXTINF:%.6f,\n%s\n", seg.Duration, name)
			n++
		}
		text.WriteString("#EXT-X-ENDLIST\n")
		write(r.Name+".m3u8", []byte(text.String()))
		master = strings.ReplaceAll(master, r.Playlist, r.Name+".m3u8")
		remove = append(remove, r.File, r.Playlist, media.TorrentKey(r))
		lr := r
		lr.File, lr.Playlist, lr.InfoHash = "", r.Name+".m3u8", ""
		legacy.Renditions = append(legacy.Renditions, lr)
	}
	write(job.LegacyMasterPlaylist, []byte(master))
	data, _ := json.Marshal(flat)
	write(job.LegacySegmentsFile, data)
	for _, name := range remove {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	hls, _ := json.Marshal(legacy)
	v.HLS = string(hls)
	if err := db.UpdateVideo(bg, v, false, "hls"); err != nil {
		t.Fatal(err)
	}
	var hashes []string
	for _, h := range flat {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	return hashes
}
