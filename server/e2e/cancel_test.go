package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

// longClip makes a clip long enough that its transcode is still running
// when the test deletes its video.
func longClip(t *testing.T) string {
	t.Helper()
	return servertest.Generate(t, "long.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=854x480:rate=30:duration=300",
		"-c:v", "libx264", "-preset", "ultrafast")
}

// ffmpegChildren counts the ffmpeg processes whose parent is pid.
func ffmpegChildren(t *testing.T, pid int) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the process ended meanwhile
		}
		// pid (comm) state ppid ...
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) > 1 && s[open+1:end] == "ffmpeg" && fields[1] == strconv.Itoa(pid) {
			n++
		}
	}
	return n
}

// waitNoFFmpeg waits until pid has no ffmpeg child left; the deadline is
// far shorter than the transcode the deletion should have stopped.
func waitNoFFmpeg(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for ffmpegChildren(t, pid) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("ffmpeg still runs after its video was deleted")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestDeletingVideoStopsTranscode(t *testing.T) {
	clipPath := longClip(t)
	t.Run("embedded", func(t *testing.T) {
		s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
		user := s.NewUser(t, 2, -1)
		up := uploadClip(t, user, clipPath, "Deleted while transcoding")
		waitActive(t, user, up.Video.UUID)
		if ffmpegChildren(t, os.Getpid()) == 0 {
			t.Fatal("no ffmpeg runs for the job")
		}
		user.Do("DELETE", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusNoContent)
		waitNoFFmpeg(t, os.Getpid())
	})
	t.Run("redis runner", func(t *testing.T) {
		port := freePort(t)
		startRedis(t, port)
		s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding, func(c *config.Config) {
			c.RedisURL = redisURLFor(port)
			c.Transcoding.Workers = 0
		})
		runner := startRunner(t, s.Config.RedisURL, "runner-a")
		user := s.NewUser(t, 2, -1)
		up := uploadClip(t, user, clipPath, "Deleted while a runner transcodes")
		waitActive(t, user, up.Video.UUID)
		if ffmpegChildren(t, runner.cmd.Process.Pid) == 0 {
			t.Fatal("no ffmpeg runs for the job")
		}
		user.Do("DELETE", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusNoContent)
		waitNoFFmpeg(t, runner.cmd.Process.Pid)
		// The runner is free for the next job.
		next := uploadClip(t, user, clip(t, 2), "Next")
		if v := servertest.WaitVideo[videoState](t, user, next.Video.UUID, 3*time.Minute, 1, 7); v.State.ID != 1 {
			t.Fatalf("the next job failed: %s", v.StateReason)
		}
	})
}
