package delivery_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/media"
	"cuttle.video/server/servertest"
	"cuttle.video/storage/local"
)

// publishLocal uploads a clip as a public video on SQLite with local
// media and waits until it is published.
func publishLocal(t *testing.T) (*servertest.Server, *servertest.Client, servertest.PublishedVideo) {
	t.Helper()
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	owner := s.NewUser(t, 2, -1)
	up := owner.UploadVideo(servertest.Clip(t), "Hardened", 1)
	var v servertest.PublishedVideo
	if err := json.Unmarshal(servertest.WaitState(t, owner, up.Video.UUID, 3*time.Minute, 1), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.StreamingPlaylists) != 1 || len(v.StreamingPlaylists[0].Files) == 0 {
		t.Fatalf("published video without playlists: %+v", v)
	}
	return s, owner, v
}

// TestMediaAnswersNoSniff checks that every route serving stored media
// tells browsers not to guess another type than the declared one.
func TestMediaAnswersNoSniff(t *testing.T) {
	s, owner, v := publishLocal(t)
	s.PutVideoFile(t, v.ID, media.CaptionFile("en"), []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"))
	mediaList := filepath.Base(v.StreamingPlaylists[0].Files[0].PlaylistURL)
	// PeerTube's names: "{id}-{res}.m3u8" plays "{id}-{res}-fragmented.mp4".
	segment := strings.TrimSuffix(mediaList, ".m3u8") + "-fragmented.mp4"
	master := filepath.Base(v.StreamingPlaylists[0].PlaylistURL)

	secret, err := os.ReadFile(filepath.Join(s.Config.DataDir, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := local.New(local.Config{
		Dir: filepath.Join(s.Config.DataDir, "media"), BaseURL: s.URL + "/storage", Secret: []byte(strings.TrimSpace(string(secret))),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	signed, err := store.PresignGet(context.Background(), media.PublicMediaPrefix(v.UUID)+segment, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	anon := s.Anonymous(t)
	public := map[string]string{
		"public playlist":   "/static/streaming-playlists/hls/" + v.UUID + "/" + master,
		"public segment":    "/static/streaming-playlists/hls/" + v.UUID + "/" + segment,
		"thumbnail":         v.ThumbnailPath,
		"caption":           "/lazy-static/video-captions/" + v.UUID + "-en.vtt",
		"chapters track":    "/api/v1/videos/" + v.UUID + "/chapters.vtt",
		"signed storage":    signed,
		"public media list": "/static/streaming-playlists/hls/" + v.UUID + "/" + mediaList,
	}
	check := func(c *servertest.Client, name, target string) {
		t.Helper()
		res := c.Raw("GET", target, nil, nil).Expect(http.StatusOK)
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s (%s): X-Content-Type-Options = %q, want nosniff", name, target, got)
		}
	}
	for name, target := range public {
		check(anon, name, target)
	}

	owner.Do("PUT", "/api/v1/videos/"+v.UUID, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)
	token := "?videoFileToken=" + owner.FileToken(v.UUID, "")
	private := "/static/streaming-playlists/hls/private/" + v.UUID + "/"
	for name, target := range map[string]string{
		"private playlist":  private + master + token,
		"private segment":   private + segment + token,
		"private thumbnail": v.ThumbnailPath + token,
		"private caption":   "/lazy-static/video-captions/" + v.UUID + "-en.vtt" + token,
	} {
		check(owner, name, target)
	}
}

// TestStoredFilesPrivate checks that the database and stored media,
// uploaded originals and transcoder output alike, are readable by the
// server's user only.
func TestStoredFilesPrivate(t *testing.T) {
	s, _, v := publishLocal(t)
	media := filepath.Join(s.Config.DataDir, "media")
	mediaList := filepath.Base(v.StreamingPlaylists[0].Files[0].PlaylistURL)
	want := map[string]os.FileMode{
		filepath.Join(s.Config.DataDir, "cuttle.db"):             0o600,
		filepath.Join(s.Config.DataDir, "cuttle.db-wal"):         0o600,
		s.OriginalFile(v.UUID, ".mp4"):                           0o600,
		filepath.Join(media, "videos", v.UUID, "hls", mediaList): 0o600,
		media: 0o700,
		filepath.Join(media, "videos", v.UUID, "hls"): 0o700,
	}
	for name, mode := range want {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s has mode %o, want %o", strings.TrimPrefix(name, s.Config.DataDir), got, mode)
		}
	}
}
