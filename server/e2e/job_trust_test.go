package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
	"cuttle.video/transcoder/job"
)

// storageSetups runs fn with local media storage, and with S3 when the
// harness provides it.
func storageSetups(t *testing.T, fn func(t *testing.T, tweak func(*config.Config))) {
	t.Run("local", func(t *testing.T) { fn(t, func(*config.Config) {}) })
	t.Run("s3", func(t *testing.T) {
		if os.Getenv("CUTTLE_TEST_S3_ENDPOINT") == "" && os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") != "1" {
			t.Skip("needs the harness's S3; run through make test")
		}
		tweak, _ := servertest.S3(t)
		fn(t, tweak)
	})
}

// Someone who reads Redis sees every job's presigned URLs and can post
// events. Neither a leaked output URL nor a forged completion may change
// what a published video plays.
func TestJobCredentialsCannotTouchPublishedMedia(t *testing.T) {
	storageSetups(t, func(t *testing.T, tweak func(*config.Config)) {
		port := freePort(t)
		startRedis(t, port)
		s := servertest.Start(t, servertest.SQLite, tweak, servertest.FastTranscoding, func(c *config.Config) {
			c.RedisURL = redisURLFor(port)
			c.Transcoding.Workers = 0
			c.Transcoding.ClaimIdle = 3 * time.Second
		})
		rc := redis.NewClient(&redis.Options{Addr: strings.TrimPrefix(strings.TrimSuffix(s.Config.RedisURL, "/0"), "redis://")})
		defer rc.Close()
		ctx := context.Background()
		user := s.NewUser(t, 2, -1)
		up := uploadClip(t, user, clip(t, 10), "Watched by Redis")

		// Read the job as it waits for a runner.
		entries, err := rc.XRange(ctx, "cuttle:jobs:vod-hls", "-", "+").Result()
		if err != nil || len(entries) != 1 {
			t.Fatalf("job stream: %v, %d entries", err, len(entries))
		}
		var j job.Job
		if err := json.Unmarshal([]byte(entries[0].Values["job"].(string)), &j); err != nil {
			t.Fatal(err)
		}
		var p job.VODHLSPayload
		if err := j.Decode(job.VODHLS, &p); err != nil {
			t.Fatal(err)
		}
		if p.TimeLimitSeconds <= 0 || p.MaxOutputBytes <= 0 {
			t.Fatalf("the job has no time limit (%d s) or output bound (%d bytes)", p.TimeLimitSeconds, p.MaxOutputBytes)
		}
		if p.Upload.Put == nil && len(p.Upload.Forms) == 0 {
			t.Fatalf("the job has no upload grant: %+v", p.Upload)
		}

		startRunner(t, s.Config.RedisURL, "runner-a")
		waitActive(t, user, up.Video.UUID)
		// A completion with no files, as if from the runner.
		forged, _ := json.Marshal(job.Event{Type: job.EventCompleted, JobID: j.ID, JobType: job.VODHLS, Attempt: 1, Worker: "forger",
			Result: json.RawMessage(`{"duration":10,"renditions":[{"name":"720p","playlist":"720p.m3u8"}],"files":[],"segmentsSha256":"segments-sha256.json"}`),
			At:     time.Now()})
		if err := rc.XAdd(ctx, &redis.XAddArgs{Stream: "cuttle:events", Values: []any{"event", string(forged)}}).Err(); err != nil {
			t.Fatal(err)
		}
		v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 1, 7)
		if v.State.ID != 1 {
			t.Fatalf("transcoding failed: %s", v.StateReason)
		}
		checkHLS(t, v, 10, fullLadder)

		// After publication, the leaked grant must not reach the published
		// playlist.
		mediaList := path.Base(v.StreamingPlaylists[0].Files[0].PlaylistURL)
		published := resolve(t, v.StreamingPlaylists[0].PlaylistURL, mediaList)
		before := get(t, published)
		evil := "#EXTM3U\n#EXTINF:4,\nhttps://evil.example/x.mp4\n"
		req, err := p.Upload.Request(ctx, mediaList, strings.NewReader(evil), int64(len(evil)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		// On local storage the server withdraws a grant when its job ends;
		// an S3 POST policy lives until it expires, but it only reaches
		// staging, which nothing serves.
		if !s.Config.S3.Enabled() && res.StatusCode != http.StatusForbidden {
			t.Errorf("a write through the grant of a finished job answered %d, want 403", res.StatusCode)
		}
		if after := get(t, published); !bytes.Equal(before, after) {
			t.Fatalf("a leaked job URL rewrote the published playlist:\n%s", after)
		}
		checkHLS(t, v, 10, fullLadder)
	})
}
