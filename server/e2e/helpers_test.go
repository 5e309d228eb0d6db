package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafov/m3u8"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

// binDir holds the runner binary, built once for the package.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cuttle-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "cuttle-transcoder"), "cuttle.video/transcoder/cmd/cuttle-transcoder").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build cuttle-transcoder: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// clip generates a 720p test clip with sound of the given length.
func clip(t *testing.T, seconds int) string {
	t.Helper()
	d := strconv.Itoa(seconds)
	return servertest.Generate(t, "clip720.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration="+d,
		"-f", "lavfi", "-i", "sine=frequency=440:duration="+d,
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest")
}

type videoState struct {
	ID          int64  `json:"id"`
	UUID        string `json:"uuid"`
	ShortUUID   string `json:"shortUUID"`
	StateReason string `json:"stateReason"`
	Duration    int    `json:"duration"`
	State       struct {
		ID    int    `json:"id"`
		Label string `json:"label"`
	} `json:"state"`
	ThumbnailPath      *string `json:"thumbnailPath"`
	PreviewPath        *string `json:"previewPath"`
	StreamingPlaylists []struct {
		Type              int    `json:"type"`
		PlaylistURL       string `json:"playlistUrl"`
		SegmentsSha256URL string `json:"segmentsSha256Url"`
		Files             []struct {
			Resolution struct {
				ID int `json:"id"`
			} `json:"resolution"`
			Size        int64   `json:"size"`
			FPS         float64 `json:"fps"`
			PlaylistURL string  `json:"playlistUrl"`
			FileURL     string  `json:"fileUrl"`
		} `json:"files"`
	} `json:"streamingPlaylists"`
	Transcoding *struct {
		State    string  `json:"state"`
		Progress float64 `json:"progress"`
		Attempts int     `json:"attempts"`
		Error    string  `json:"error"`
	} `json:"transcoding"`
}

func get(t *testing.T, u string) []byte {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v %s", u, res.StatusCode, err, b)
	}
	return b
}

// metricsOf reads the server's /metrics as the root admin, the only one
// who may.
func metricsOf(t *testing.T, s *servertest.Server) string {
	t.Helper()
	return string(s.Root(t).Do("GET", "/metrics", nil).Expect(http.StatusOK).Body)
}

func resolve(t *testing.T, base, ref string) string {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	return b.ResolveReference(r).String()
}

// checkHLS verifies a published video as a player would see it: the
// master playlist lists the expected heights, every segment's hash
// matches the map, and ffprobe reads each rendition over HTTP with the
// source's duration.
func checkHLS(t *testing.T, v videoState, duration float64, heights []int) {
	t.Helper()
	if len(v.StreamingPlaylists) != 1 || v.StreamingPlaylists[0].Type != 1 {
		t.Fatalf("streamingPlaylists = %+v", v.StreamingPlaylists)
	}
	sp := v.StreamingPlaylists[0]
	p, listType, err := m3u8.DecodeFrom(bytes.NewReader(get(t, sp.PlaylistURL)), true)
	if err != nil || listType != m3u8.MASTER {
		t.Fatalf("master playlist: %v (type %v)", err, listType)
	}
	master := p.(*m3u8.MasterPlaylist)
	var got []int
	for _, variant := range master.Variants {
		_, h, _ := strings.Cut(variant.Resolution, "x")
		height, _ := strconv.Atoi(h)
		got = append(got, height)
		if variant.Bandwidth == 0 || variant.AverageBandwidth == 0 || variant.Codecs == "" || variant.FrameRate == 0 {
			t.Errorf("variant %s lacks attributes: %+v", variant.URI, variant.VariantParams)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(heights) {
		t.Fatalf("master playlist heights = %v, want %v", got, heights)
	}
	checkSegments(t, sp.PlaylistURL, sp.SegmentsSha256URL, "", func(mediaURL string, variant *m3u8.Variant) {
		out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", mediaURL).CombinedOutput()
		if err != nil {
			t.Fatalf("ffprobe %s: %v\n%s", mediaURL, err, out)
		}
		d, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil || d < duration-0.5 || d > duration+0.5 {
			t.Fatalf("ffprobe %s: duration %q, want %.1f ± 0.5", variant.URI, out, duration)
		}
	})
}

// checkSegments plays a video's renditions as a player does, from its
// master playlist (query appended, a file token for protected videos):
// each media playlist addresses its rendition's one fragmented MP4 by
// byte ranges, which are fetched with Range requests and must answer 206
// with those bytes, and every segment must hash as the hash map, in
// PeerTube's shape, says. eachMedia, when not nil, is called with each
// media playlist's URL.
func checkSegments(t *testing.T, masterURL, hashesURL, query string, eachMedia func(mediaURL string, variant *m3u8.Variant)) {
	t.Helper()
	p, listType, err := m3u8.DecodeFrom(bytes.NewReader(get(t, masterURL+query)), true)
	if err != nil || listType != m3u8.MASTER {
		t.Fatalf("master playlist: %v (type %v)", err, listType)
	}
	var hashes map[string]map[string]string
	if err := json.Unmarshal(get(t, hashesURL+query), &hashes); err != nil {
		t.Fatalf("segment hash map: %v", err)
	}
	checked, mapped := 0, 0
	for _, ranges := range hashes {
		mapped += len(ranges)
	}
	for _, variant := range p.(*m3u8.MasterPlaylist).Variants {
		mediaURL := resolve(t, masterURL+query, variant.URI)
		mp, listType, err := m3u8.DecodeFrom(bytes.NewReader(get(t, mediaURL)), true)
		if err != nil || listType != m3u8.MEDIA {
			t.Fatalf("media playlist %s: %v", variant.URI, err)
		}
		media := mp.(*m3u8.MediaPlaylist)
		if media.Map == nil || media.Map.Offset != 0 || media.Map.Limit <= 0 {
			t.Fatalf("%s: no EXT-X-MAP at the start of the file", variant.URI)
		}
		if want := strings.TrimSuffix(fileName(t, variant.URI), ".m3u8") + "-fragmented.mp4"; fileName(t, media.Map.URI) != want {
			t.Fatalf("%s plays %s, not %s as PeerTube names it", variant.URI, media.Map.URI, want)
		}
		getRange(t, resolve(t, mediaURL, media.Map.URI), 0, media.Map.Limit)
		for _, seg := range media.Segments {
			if seg == nil {
				continue
			}
			u := resolve(t, mediaURL, seg.URI)
			sum := sha256.Sum256(getRange(t, u, seg.Offset, seg.Limit))
			file := fileName(t, seg.URI)
			key := fmt.Sprintf("%d-%d", seg.Offset, seg.Offset+seg.Limit-1)
			if want, ok := hashes[file][key]; !ok || want != hex.EncodeToString(sum[:]) {
				t.Fatalf("segment %s %s: sha256 %x, map says %q", file, key, sum, want)
			}
			checked++
		}
		if eachMedia != nil {
			eachMedia(mediaURL, variant)
		}
	}
	if checked != mapped || checked == 0 {
		t.Fatalf("the playlists reference %d segments, the map has %d", checked, mapped)
	}
}

// fileName is the last element of a URL's path.
func fileName(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return path.Base(p.Path)
}

// getRange fetches length bytes of u from offset, as players fetch a
// byte-range segment: the answer must be a 206 of exactly those bytes.
func getRange(t *testing.T, u string, offset, length int64) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("bytes %d-%d/", offset, offset+length-1)
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", offset, offset+length-1))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusPartialContent || !strings.HasPrefix(res.Header.Get("Content-Range"), want) ||
		int64(len(b)) != length {
		t.Fatalf("GET %s %s: %d %q, %d bytes, %v", u, req.Header.Get("Range"), res.StatusCode, res.Header.Get("Content-Range"), len(b), err)
	}
	return b
}

func uploadClip(t *testing.T, c *servertest.Client, path, name string) servertest.UploadedVideo {
	t.Helper()
	var up servertest.UploadedVideo
	c.Upload(path, map[string][]string{"name": {name}, "channelId": {strconv.FormatInt(c.Channel(), 10)}}).
		Expect(http.StatusOK).JSON(&up)
	return up
}

// waitActive waits until the video's transcoding runs and reports some
// progress, so a test can interfere with a job in the middle.
func waitActive(t *testing.T, c *servertest.Client, uuid string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		v := servertest.WaitVideo[videoState](t, c, uuid, time.Minute, 2, 1, 7)
		if v.State.ID != 2 {
			t.Fatalf("the job ended before the test could interfere: state %d", v.State.ID)
		}
		if v.Transcoding != nil && v.Transcoding.State == "active" && v.Transcoding.Progress > 0.05 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the job never started")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// twoReplicas starts two replicas of the scaled-out setup, as behind a load
// balancer: one PostgreSQL database, one Redis, one bucket, one secret;
// only the first transcodes. Each keeps its own address as public URL, so
// pages of the one and of the other are of two origins.
func twoReplicas(t *testing.T) (a, b *servertest.Server) {
	t.Helper()
	servertest.NeedsPostgres(t)
	port := freePort(t)
	startRedis(t, port)
	s3tweak, _ := servertest.S3(t)
	secret := strings.Repeat(servertest.NewName("s"), 4)
	shared := func(c *config.Config) {
		c.RedisURL = redisURLFor(port)
		c.Secret = secret
		c.Transcoding.ClaimIdle = 3 * time.Second
	}
	a = servertest.Start(t, servertest.Postgres, s3tweak, servertest.FastTranscoding, shared, func(c *config.Config) { c.Transcoding.Workers = 1 })
	b = servertest.Start(t, servertest.Postgres, s3tweak, servertest.FastTranscoding, shared, func(c *config.Config) {
		c.DatabaseURL = a.Config.DatabaseURL
		c.Transcoding.Workers = 0
	})
	return a, b
}
