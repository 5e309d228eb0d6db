package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafov/m3u8"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
	"cuttle.video/storage"
)

// checkPrivateHLS plays a video whose files are not public as a player
// given a file token would: through the tokenized master playlist, every
// segment checked against the hash map.
func checkPrivateHLS(t *testing.T, c *servertest.Client, v videoState, heights []int) {
	t.Helper()
	sp := v.StreamingPlaylists[0]
	if !strings.Contains(sp.PlaylistURL, "/hls/private/") {
		t.Fatalf("the playlist of a private video is not on the private path: %s", sp.PlaylistURL)
	}
	if status, _ := c.Fetch(strings.Replace(sp.PlaylistURL, "/hls/private/", "/hls/", 1)); status == http.StatusOK {
		t.Fatal("the master playlist is readable on the public path")
	}
	token := c.FileToken(v.UUID, "")
	q := "?videoFileToken=" + url.QueryEscape(token)
	master, _, err := m3u8.DecodeFrom(bytes.NewReader(get(t, sp.PlaylistURL+q)), true)
	if err != nil {
		t.Fatalf("master playlist: %v", err)
	}
	if variants := master.(*m3u8.MasterPlaylist).Variants; len(variants) != len(heights) {
		t.Fatalf("%d variants, want %d", len(variants), len(heights))
	}
	checkSegments(t, sp.PlaylistURL, sp.SegmentsSha256URL, q, nil)
}

// keysUnder lists what a store holds under prefix.
func keysUnder(t *testing.T, st storage.Store, prefix string) []string {
	t.Helper()
	objs, err := st.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}

// A privacy change while the embedded worker transcodes into the public
// prefix: the completion brings every file to the private one.
func TestPrivacyChangeWhileTranscoding(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	owner := s.NewUser(t, 2, -1)
	up := uploadClip(t, owner, clip(t, 20), "Becomes private")
	waitActive(t, owner, up.Video.UUID)
	owner.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)
	v := servertest.WaitVideo[videoState](t, owner, up.Video.UUID, 3*time.Minute, 1, 7)
	if v.State.ID != 1 {
		t.Fatalf("transcoding failed: %s", v.StateReason)
	}
	media := filepath.Join(s.Config.DataDir, "media")
	if _, err := os.Stat(filepath.Join(media, "videos", up.Video.UUID)); !os.IsNotExist(err) {
		t.Fatalf("files left under the public prefix: %v", err)
	}
	entries, err := os.ReadDir(filepath.Join(media, "private", "videos", up.Video.UUID, "1", "hls"))
	if err != nil || len(entries) < 10 {
		t.Fatalf("private media directory: %d entries, %v", len(entries), err)
	}
	checkPrivateHLS(t, owner, v, fullLadder)
	if status, _ := s.NewUser(t, 2, -1).Fetch(v.StreamingPlaylists[0].PlaylistURL); status == http.StatusOK {
		t.Fatal("another user reads the private master playlist")
	}
}

// The scaled-out setup: the job waits in Redis with URLs for the public
// prefix while the video turns private, then turns internal while a
// runner writes. The runner's outputs end under the video's last prefix,
// in the bucket, and nowhere else.
func TestPrivacyChangeScaledOut(t *testing.T) {
	if os.Getenv("CUTTLE_TEST_POSTGRES_URL") == "" && os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") != "1" {
		t.Skip("needs the harness's PostgreSQL, Redis and S3; run through make test")
	}
	port := freePort(t)
	startRedis(t, port)
	s3tweak, bucket := servertest.S3(t)
	s := servertest.Start(t, servertest.Postgres, s3tweak, servertest.FastTranscoding, func(c *config.Config) {
		c.RedisURL = redisURLFor(port)
		c.Transcoding.Workers = 0
	})
	owner := s.NewUser(t, 2, -1)
	up := uploadClip(t, owner, clip(t, 20), "Private in the bucket")
	path := "/api/v1/videos/" + up.Video.UUID
	owner.Do("PUT", path, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)
	startRunner(t, s.Config.RedisURL, "runner-privacy")
	waitActive(t, owner, up.Video.UUID)
	owner.Do("PUT", path, map[string]any{"privacy": 4}).Expect(http.StatusNoContent)
	v := servertest.WaitVideo[videoState](t, owner, up.Video.UUID, 3*time.Minute, 1, 7)
	if v.State.ID != 1 {
		t.Fatalf("transcoding failed: %s", v.StateReason)
	}
	if keys := keysUnder(t, bucket, "videos/"+up.Video.UUID+"/"); len(keys) != 0 {
		t.Fatalf("objects left under the public prefix: %v", keys)
	}
	all := keysUnder(t, bucket, "private/videos/"+up.Video.UUID+"/")
	for _, k := range all {
		if !strings.HasPrefix(k, "private/videos/"+up.Video.UUID+"/2/hls/") {
			t.Fatalf("object outside the video's current prefix: %s", k)
		}
	}
	if len(all) < 10 {
		t.Fatalf("only %d objects under the private prefix", len(all))
	}
	// Internal: any logged-in user plays it, straight from the bucket.
	checkPrivateHLS(t, s.NewUser(t, 2, -1), v, fullLadder)
}
