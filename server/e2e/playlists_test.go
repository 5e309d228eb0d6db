package e2e

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafov/m3u8"
	"github.com/redis/go-redis/v9"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
	"cuttle.video/transcoder/queue"
	"cuttle.video/transcoder/queue/redisqueue"
	"cuttle.video/transcoder/runner"
)

// hostileRunner is a real runner on the server's Redis queue whose
// uploads and results pass through edits, as a compromised runner's
// would: edits of media playlists by video, and of results by video.
type hostileRunner struct {
	mu        sync.Mutex
	playlists map[string]func(string) string
	results   map[string]func(*job.VODHLSResult)
}

func (h *hostileRunner) playlistEdit(videoUUID string) func(string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.playlists[videoUUID]
}

func (h *hostileRunner) resultEdit(videoUUID string) func(*job.VODHLSResult) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.results[videoUUID]
}

// RoundTrip edits the media playlists the runner sends, by the video
// named in the presigned URL's path.
func (h *hostileRunner) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut && path.Ext(req.URL.Path) == ".m3u8" {
		for _, part := range strings.Split(req.URL.Path, "/") {
			edit := h.playlistEdit(part)
			if edit == nil {
				continue
			}
			body, err := io.ReadAll(req.Body)
			req.Body.Close()
			if err != nil {
				return nil, err
			}
			body = []byte(edit(string(body)))
			req = req.Clone(req.Context())
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

type hostileQueue struct {
	queue.Queue
	h *hostileRunner
}

func (q hostileQueue) Take(ctx context.Context, types ...job.Type) (queue.Lease, error) {
	l, err := q.Queue.Take(ctx, types...)
	if err != nil || l == nil {
		return l, err
	}
	return hostileLease{Lease: l, h: q.h}, nil
}

type hostileLease struct {
	queue.Lease
	h *hostileRunner
}

func (l hostileLease) Complete(ctx context.Context, result any) error {
	if res, ok := result.(*job.VODHLSResult); ok {
		if edit := l.h.resultEdit(l.Job().VideoUUID); edit != nil {
			edit(res)
		}
	}
	return l.Lease.Complete(ctx, result)
}

// segmentLineRE finds the segment URIs of a media playlist: its
// rendition's fragmented MP4.
var segmentLineRE = regexp.MustCompile(`(?m)^[0-9a-f]{8}-[0-9a-f-]{27}-[0-9]{1,5}-fragmented\.mp4$`)

// A runner that writes media playlists pointing at another host, or
// files the job did not declare, or a codecs string that breaks out of
// its attribute, gets its job refused: the video is not published and
// its owner is told why. Untouched outputs of the same runner publish.
func TestTamperedOutputsAreRefused(t *testing.T) {
	port := freePort(t)
	startRedis(t, port)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding, func(c *config.Config) {
		c.RedisURL = redisURLFor(port)
		c.Transcoding.Workers = 0
		c.Transcoding.MaxAttempts = 1
	})
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	t.Cleanup(func() { rdb.Close() })
	q, err := redisqueue.New(rdb, redisqueue.Config{WorkerName: "hostile", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	h := &hostileRunner{playlists: map[string]func(string) string{}, results: map[string]func(*job.VODHLSResult){}}
	r := runner.New(hostileQueue{Queue: q, h: h}, runner.Config{
		ScratchDir: t.TempDir(), HTTP: &http.Client{Transport: h},
		Pipeline: pipeline.Options{Preset: "ultrafast", Threads: 2}, Log: slog.New(slog.DiscardHandler),
	})

	owner := s.NewUser(t, 2, -1)
	clipPath := smallClip(t, 2)
	upload := func(name, privacy string) string {
		var up servertest.UploadedVideo
		owner.Upload(clipPath, map[string][]string{
			"name": {name}, "channelId": {strconv.FormatInt(owner.Channel(), 10)}, "privacy": {privacy},
		}).Expect(http.StatusOK).JSON(&up)
		return up.Video.UUID
	}
	tampered := map[string]string{}
	for name, edit := range map[string]func(string) string{
		"absolute URI": func(pl string) string {
			return segmentLineRE.ReplaceAllString(pl, "https://evil.example/track.m4s")
		},
		"key on another host": func(pl string) string {
			return strings.Replace(pl, "#EXTINF:", "#EXT-X-KEY:METHOD=AES-128,URI=\"https://evil.example/key?v=1\"\n#EXTINF:", 1)
		},
		"undeclared file": func(pl string) string {
			return segmentLineRE.ReplaceAllString(pl, job.FragmentedName(job.NewFileID(), 360))
		},
	} {
		id := upload(name, "1")
		h.mu.Lock()
		h.playlists[id] = edit
		h.mu.Unlock()
		tampered[name] = id
	}
	codecs := upload("codecs out of their attribute", "1")
	h.mu.Lock()
	h.results[codecs] = func(res *job.VODHLSResult) {
		res.Renditions[0].Codecs = `avc1.64001e",URI="https://evil.example/x`
	}
	h.mu.Unlock()
	tampered["codecs"] = codecs
	honestPrivate, honestPublic := upload("Honest private", "3"), upload("Honest public", "1")
	// The jobs waited in the queue until the edits were in place.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	anonymous := s.Anonymous(t)
	for name, id := range tampered {
		v := servertest.WaitVideo[videoState](t, owner, id, 3*time.Minute, 1, 7)
		if v.State.ID != 7 || !strings.Contains(v.StateReason, "not in the expected shape") {
			t.Errorf("%s: state %d, reason %q; want refused", name, v.State.ID, v.StateReason)
		}
		if strings.Contains(v.StateReason, "evil") {
			t.Errorf("%s: the reason repeats the hostile output: %q", name, v.StateReason)
		}
		// Refused outputs never make the video public.
		anonymous.Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusNotFound)
		if masters, _ := filepath.Glob(filepath.Join(s.Config.DataDir, "media", "videos", id, "hls", "*-master.m3u8")); len(masters) > 0 {
			t.Errorf("%s: a master playlist was published: %v", name, masters)
		}
	}

	// The honest videos publish; if a media playlist of theirs is then
	// replaced in storage (a leaked upload URL), neither the private
	// rewrite nor the public path passes URIs to another host on to
	// their viewers.
	for _, id := range []string{honestPrivate, honestPublic} {
		v := servertest.WaitVideo[videoState](t, owner, id, 3*time.Minute, 1, 7)
		if v.State.ID != 1 {
			t.Fatalf("honest video: state %d (%s)", v.State.ID, v.StateReason)
		}
		masterURL := v.StreamingPlaylists[0].PlaylistURL + "?videoFileToken=" + url.QueryEscape(owner.FileToken(id, ""))
		master, _, err := m3u8.DecodeFrom(bytes.NewReader(get(t, masterURL)), true)
		if err != nil {
			t.Fatal(err)
		}
		variant := master.(*m3u8.MasterPlaylist).Variants[0].URI
		mediaURL := resolve(t, masterURL, variant)
		if pl := get(t, mediaURL); bytes.Contains(pl, []byte("://")) {
			t.Fatalf("the honest playlist holds an absolute URI: %s", pl)
		}
		name := path.Base(strings.Split(variant, "?")[0])
		stored, _ := filepath.Glob(filepath.Join(s.Config.DataDir, "media", "private", "videos", id, "*", "hls", name))
		stored = append(stored, filepath.Join(s.Config.DataDir, "media", "videos", id, "hls", name))
		original, err := os.ReadFile(stored[0])
		if err != nil {
			t.Fatalf("stored media playlist: %v", err)
		}
		for edit, pl := range map[string]string{
			"key":          strings.Replace(string(original), "#EXTINF:", "#EXT-X-KEY:METHOD=AES-128,URI=\"https://evil.example/key\"\n#EXTINF:", 1),
			"absolute URI": segmentLineRE.ReplaceAllString(string(original), "https://evil.example/track.m4s"),
			"other host":   segmentLineRE.ReplaceAllString(string(original), "//evil.example/track.m4s"),
		} {
			if err := os.WriteFile(stored[0], []byte(pl), 0o600); err != nil {
				t.Fatal(err)
			}
			status, body := anonymous.Fetch(mediaURL)
			if status == http.StatusOK || bytes.Contains(body, []byte("evil.example")) {
				t.Errorf("%s, %s: the playlist (status %d) sends players to another host: %s", v.StreamingPlaylists[0].PlaylistURL, edit, status, body)
			}
		}
	}
}
