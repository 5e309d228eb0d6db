package e2e

import (
	"context"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

var fullLadder = []int{720, 480, 360, 240, 144}

// The embedded setup: SQLite, local directory, the worker in the server.
func TestTranscodeEmbedded(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, clip(t, 10), "Ten seconds")
	v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 1, 7)
	if v.State.ID != 1 {
		t.Fatalf("transcoding failed: %s", v.StateReason)
	}
	if v.Duration != 10 || v.ThumbnailPath == nil || v.PreviewPath == nil || v.Transcoding == nil || v.Transcoding.State != "completed" {
		t.Fatalf("published video = %+v", v)
	}
	checkHLS(t, v, 10, fullLadder)
	thumb := get(t, s.URL+*v.ThumbnailPath)
	if len(thumb) < 100 || thumb[0] != 0xFF || thumb[1] != 0xD8 {
		t.Fatal("the thumbnail is not a JPEG")
	}
	// Published videos appear in the public list.
	var l struct{ Total int }
	s.Anonymous(t).Do("GET", "/api/v1/videos", nil).Expect(http.StatusOK).JSON(&l)
	if l.Total != 1 {
		t.Fatalf("public list has %d videos, want 1", l.Total)
	}
	// The storyboard job follows; once it is done, the scratch directory
	// of the embedded worker is left empty.
	checkStoryboard(t, user, v.UUID, 10)
	entries, _ := os.ReadDir(filepath.Join(s.Config.DataDir, "scratch"))
	if len(entries) != 0 {
		t.Fatalf("scratch directory keeps %d entries", len(entries))
	}
}

// scaledOut starts a server on PostgreSQL, S3 and the given Redis, with
// no embedded worker. Each test brings its own redis-server so queues of
// different tests never mix.
func scaledOut(t *testing.T, redisURL string) (*servertest.Server, func() []string) {
	t.Helper()
	s3tweak, bucket := servertest.S3(t)
	s := servertest.Start(t, servertest.Postgres, s3tweak, servertest.FastTranscoding, func(c *config.Config) {
		c.RedisURL = redisURL
		c.Transcoding.Workers = 0
		c.Transcoding.ClaimIdle = 3 * time.Second
	})
	objects := func() []string {
		objs, err := bucket.List(context.Background(), "videos/")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range objs {
			keys = append(keys, o.Key)
		}
		return keys
	}
	return s, objects
}

// The scaled-out setup: PostgreSQL, Redis, S3 and a separate runner.
func TestTranscodeScaledOut(t *testing.T) {
	if os.Getenv("CUTTLE_TEST_POSTGRES_URL") == "" && os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") != "1" {
		t.Skip("needs the harness's PostgreSQL, Redis and S3; run through make test")
	}
	port := freePort(t)
	startRedis(t, port)
	s, _ := scaledOut(t, redisURLFor(port))
	startRunner(t, s.Config.RedisURL, "runner-a")
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, clip(t, 10), "Scaled out")
	v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 1, 7)
	if v.State.ID != 1 {
		t.Fatalf("transcoding failed: %s", v.StateReason)
	}
	checkHLS(t, v, 10, fullLadder)
	// The runner takes storyboard jobs too.
	checkStoryboard(t, user, v.UUID, 10)
}

func TestKilledRunnerIsReplaced(t *testing.T) {
	if os.Getenv("CUTTLE_TEST_POSTGRES_URL") == "" && os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") != "1" {
		t.Skip("needs the harness's PostgreSQL, Redis and S3; run through make test")
	}
	port := freePort(t)
	startRedis(t, port)
	s, objects := scaledOut(t, redisURLFor(port))
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, clip(t, 20), "Interrupted")

	a := startRunner(t, s.Config.RedisURL, "runner-a")
	waitActive(t, user, up.Video.UUID)
	a.kill()

	startRunner(t, s.Config.RedisURL, "runner-b")
	v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 1, 7)
	if v.State.ID != 1 || v.Transcoding.Attempts != 2 {
		t.Fatalf("after the kill: state %d, transcoding %+v, reason %q", v.State.ID, v.Transcoding, v.StateReason)
	}
	checkHLS(t, v, 20, fullLadder)
	checkStoryboard(t, user, v.UUID, 20)

	// Exactly the files of the finished rendition set, and the storyboard
	// drawn from it, are stored: nothing the killed runner wrote is left
	// over.
	sp := v.StreamingPlaylists[0]
	prefix := "videos/" + v.UUID + "/hls/"
	want := map[string]bool{prefix + path.Base(sp.PlaylistURL): true, prefix + path.Base(sp.SegmentsSha256URL): true,
		prefix + "thumbnail.jpg": true, prefix + "preview.jpg": true, prefix + "storyboard.jpg": true}
	for _, f := range sp.Files {
		want[prefix+path.Base(f.PlaylistURL)] = true
		id := strings.TrimSuffix(path.Base(f.PlaylistURL), ".m3u8")
		want[prefix+id+"-fragmented.mp4"], want[prefix+id+"-hls.torrent"] = true, true
	}
	got := objects()
	sort.Strings(got)
	for _, k := range got {
		if !want[k] {
			t.Errorf("orphan object %s", k)
		}
		delete(want, k)
	}
	for k := range want {
		t.Errorf("missing object %s", k)
	}
	// One transcoding job, completed once, and its storyboard job.
	var jobs struct {
		Data []struct {
			Type string `json:"type"`
		} `json:"data"`
	}
	s.Root(t).Do("GET", "/api/v1/jobs/completed", nil).Expect(http.StatusOK).JSON(&jobs)
	types := map[string]int{}
	for _, j := range jobs.Data {
		types[j.Type]++
	}
	if len(jobs.Data) != 2 || types["vod-hls"] != 1 || types["storyboard"] != 1 {
		t.Fatalf("completed jobs by type: %v, want one vod-hls and one storyboard", types)
	}
}

func TestRunnerHandsBackJobOnSIGTERM(t *testing.T) {
	if os.Getenv("CUTTLE_TEST_POSTGRES_URL") == "" && os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") != "1" {
		t.Skip("needs the harness's PostgreSQL, Redis and S3; run through make test")
	}
	port := freePort(t)
	startRedis(t, port)
	s, _ := scaledOut(t, redisURLFor(port))
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, clip(t, 20), "Handed back")
	scratch := t.TempDir()
	a := startProc(t, filepath.Join(binDir, "cuttle-transcoder"), "--redis-url", s.Config.RedisURL, "--name", "leaving",
		"--preset", "ultrafast", "--threads", "2", "--claim-idle", "10m", "--scratch", scratch)
	waitActive(t, user, up.Video.UUID)
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the runner did not stop on SIGTERM")
	}
	if code := a.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("runner exit code %d", code)
	}
	if entries, _ := os.ReadDir(scratch); len(entries) != 0 {
		t.Fatalf("the stopped runner left %d entries in its scratch directory", len(entries))
	}
	// Handed back, not lost: a new runner takes it at once, although the
	// claim timeout is ten minutes, and it is not counted as a failure.
	startRunner(t, s.Config.RedisURL, "arriving")
	v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 2*time.Minute, 1, 7)
	if v.State.ID != 1 || v.Transcoding.Attempts != 1 {
		t.Fatalf("after the hand-back: state %d, transcoding %+v", v.State.ID, v.Transcoding)
	}
}

func TestRedisRestartLosesNoJob(t *testing.T) {
	if os.Getenv("CUTTLE_TEST_POSTGRES_URL") == "" && os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") != "1" {
		t.Skip("needs the harness's PostgreSQL, Redis and S3; run through make test")
	}
	port := freePort(t)
	r := startRedis(t, port)
	s, _ := scaledOut(t, redisURLFor(port))
	user := s.NewUser(t, 2, -1)
	// No runner yet: the jobs wait in Redis, which then restarts empty.
	path := clip(t, 4)
	first := uploadClip(t, user, path, "Waiting one")
	second := uploadClip(t, user, path, "Waiting two")
	r.kill()
	startRedis(t, port)
	startRunner(t, s.Config.RedisURL, "runner-after-restart")
	for _, id := range []string{first.Video.UUID, second.Video.UUID} {
		v := servertest.WaitVideo[videoState](t, user, id, 3*time.Minute, 1, 7)
		if v.State.ID != 1 {
			t.Fatalf("video %s: state %d (%s)", id, v.State.ID, v.StateReason)
		}
	}
}

func TestCorruptUploadFailsAlone(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding, func(c *config.Config) { c.Transcoding.MaxAttempts = 2 })
	user := s.NewUser(t, 2, -1)
	good := clip(t, 4)
	bad := servertest.CorruptClip(t, good)
	badUp := uploadClip(t, user, bad, "Broken inside")
	goodUp := uploadClip(t, user, good, "Fine")
	v := servertest.WaitVideo[videoState](t, user, badUp.Video.UUID, 3*time.Minute, 1, 7)
	if v.State.ID != 7 || v.StateReason == "" || v.Transcoding == nil || v.Transcoding.State != "failed" {
		t.Fatalf("corrupt video: state %d, reason %q, transcoding %+v", v.State.ID, v.StateReason, v.Transcoding)
	}
	if strings.Contains(v.StateReason, s.Config.DataDir) {
		t.Fatalf("the reason leaks a server path: %q", v.StateReason)
	}
	if v := servertest.WaitVideo[videoState](t, user, goodUp.Video.UUID, 3*time.Minute, 1, 7); v.State.ID != 1 {
		t.Fatalf("the good video next to it: state %d (%s)", v.State.ID, v.StateReason)
	}
	// An admin sees the failure and can retry it; it fails again, alone.
	root := s.Root(t)
	var failed struct {
		Total int `json:"total"`
		Data  []struct {
			ID    string `json:"id"`
			Error string `json:"error"`
		} `json:"data"`
	}
	root.Do("GET", "/api/v1/jobs/failed", nil).Expect(http.StatusOK).JSON(&failed)
	if failed.Total != 1 || failed.Data[0].Error == "" {
		t.Fatalf("failed jobs = %+v", failed)
	}
	root.Do("POST", "/api/v1/jobs/"+failed.Data[0].ID+"/retry", nil).Expect(http.StatusNoContent)
	root.Do("POST", "/api/v1/jobs/"+failed.Data[0].ID+"/retry", nil).Problem(http.StatusConflict)
	if v := servertest.WaitVideo[videoState](t, user, badUp.Video.UUID, 3*time.Minute, 1, 7); v.State.ID != 7 {
		t.Fatalf("the retried corrupt video: state %d", v.State.ID)
	}
}
