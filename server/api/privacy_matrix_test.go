package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/media"
	"cuttle.video/server/servertest"
	"cuttle.video/transcoder/job"
)

// A resource of a video that viewers try to read.
type resource struct {
	name string
	file string // in the media directory; empty for the video's JSON
	// looks tells the right content from, say, an error page.
	looks func([]byte) bool
}

func isPlaylist(b []byte) bool { return bytes.HasPrefix(b, []byte("#EXTM3U")) }
func isJPEG(b []byte) bool     { return bytes.HasPrefix(b, []byte{0xFF, 0xD8}) }

const (
	hlsBase   = "/static/streaming-playlists/hls/"
	thumbBase = "/lazy-static/thumbnails/"
)

// matrixVideo is the video under test and what its files are called.
type matrixVideo struct {
	s         *servertest.Server
	uuid      string
	resources []resource
	mediaList string // a media playlist
	segment   string // its first segment
}

// fileURLs lists the URLs that serve a file: its route by video (for
// images and captions) and the HLS directory's public and private paths,
// without a token and, when the viewer has one, with it.
func (m *matrixVideo) fileURLs(file, token string) []string {
	paths := []string{hlsBase + m.uuid + "/" + file, hlsBase + "private/" + m.uuid + "/" + file}
	switch file {
	case job.ThumbnailFile:
		paths = []string{thumbBase + m.uuid + ".jpg"}
	case media.StoryboardFile:
		paths = append([]string{"/lazy-static/storyboards/" + m.uuid + ".jpg"}, paths...)
	case media.CaptionFile("en"):
		paths = append([]string{"/lazy-static/video-captions/" + m.uuid + "-en.vtt"}, paths...)
	}
	var urls []string
	for _, p := range paths {
		urls = append(urls, p)
		if token != "" {
			urls = append(urls, p+"?videoFileToken="+url.QueryEscape(token))
		}
	}
	return urls
}

// read tries every way a viewer has to read a resource: the public and
// private URLs (guessed), with the file token the API gives the viewer
// (if it gives one), and for segments the URI in the media playlist the
// viewer could read. It returns whether one worked.
func (m *matrixVideo) read(c *servertest.Client, token string, r resource) bool {
	if r.file == "" {
		return c.Do("GET", "/api/v1/videos/"+m.uuid, nil).StatusCode == http.StatusOK
	}
	for _, u := range m.fileURLs(r.file, token) {
		if status, body := c.Fetch(u); status == http.StatusOK && r.looks(body) {
			return true
		}
	}
	if r.file == m.segment {
		for _, u := range m.fileURLs(m.mediaList, token) {
			status, body := c.Fetch(u)
			if status != http.StatusOK || !isPlaylist(body) {
				continue
			}
			seg := firstSegment(body)
			if status, body := c.Fetch(resolveURL(m.s.URL+u, seg)); status == http.StatusOK && len(body) > 0 {
				return true
			}
		}
	}
	return false
}

func firstSegment(playlist []byte) string {
	for _, line := range strings.Split(string(playlist), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			return line
		}
	}
	return ""
}

func resolveURL(base, ref string) string {
	b, _ := url.Parse(base)
	r, _ := url.Parse(ref)
	return b.ResolveReference(r).String()
}

// The authorization matrix: every privacy level, every kind of viewer,
// every resource of a video, on the local directory and on S3. The video
// goes through every level by updates, so each change also moves its
// files; links handed out before a change that involves a non-public
// level must stop working.
func TestPrivacyMatrix(t *testing.T) {
	for _, tc := range []struct {
		name    string
		backend servertest.Backend
		s3      bool
	}{{"local", servertest.SQLite, false}, {"s3", servertest.Postgres, true}} {
		t.Run(tc.name, func(t *testing.T) {
			tweaks := []func(*config.Config){servertest.FastTranscoding}
			if tc.s3 {
				servertest.NeedsPostgres(t)
				tweak, _ := servertest.S3(t)
				tweaks = append(tweaks, tweak)
			}
			s := servertest.Start(t, tc.backend, tweaks...)
			privacyMatrix(t, s, tc.s3)
		})
	}
}

func privacyMatrix(t *testing.T, s *servertest.Server, onS3 bool) {
	owner := s.NewUser(t, 2, -1)
	viewers := []struct {
		name string
		c    *servertest.Client
	}{
		{"anonymous", s.Anonymous(t)}, {"another user", s.NewUser(t, 2, -1)}, {"owner", owner},
		{"moderator", s.NewUser(t, 1, -1)}, {"admin", s.Root(t)},
	}
	// Who may read everything of a video, by privacy.
	allowed := map[int][]string{
		1: {"anonymous", "another user", "owner", "moderator", "admin"},
		2: {"anonymous", "another user", "owner", "moderator", "admin"},
		3: {"owner", "moderator", "admin"},
		4: {"another user", "owner", "moderator", "admin"},
		5: {"owner", "moderator", "admin"},
	}

	var up servertest.UploadedVideo
	owner.Upload(servertest.Clip(t), map[string][]string{
		"name": {"Matrix"}, "channelId": {strconv.FormatInt(owner.Channel(), 10)},
		"privacy": {"5"}, "videoPasswords[]": {"matrix-password"},
	}).Expect(http.StatusOK).JSON(&up)
	var v servertest.PublishedVideo
	if err := json.Unmarshal(servertest.WaitState(t, owner, up.Video.UUID, 3*time.Minute, 1), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.StreamingPlaylists) != 1 || len(v.StreamingPlaylists[0].Files) == 0 {
		t.Fatalf("published video without playlists: %+v", v)
	}
	mediaList := path.Base(v.StreamingPlaylists[0].Files[0].PlaylistURL)
	s.PutVideoFile(t, v.ID, media.CaptionFile("en"), []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"))
	s.PutVideoFile(t, v.ID, media.StoryboardFile, append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 64)...))
	m := &matrixVideo{
		s: s, uuid: v.UUID, mediaList: mediaList,
		segment: strings.TrimSuffix(mediaList, ".m3u8") + "-fragmented.mp4",
	}
	m.resources = []resource{
		{name: "video JSON"},
		{name: "master playlist", file: path.Base(v.StreamingPlaylists[0].PlaylistURL), looks: isPlaylist},
		{name: "media playlist", file: mediaList, looks: isPlaylist},
		{name: "segment", file: m.segment, looks: func(b []byte) bool { return len(b) > 0 }},
		{name: "caption", file: media.CaptionFile("en"), looks: func(b []byte) bool { return bytes.HasPrefix(b, []byte("WEBVTT")) }},
		{name: "storyboard", file: media.StoryboardFile, looks: isJPEG},
		{name: "thumbnail", file: job.ThumbnailFile, looks: isJPEG},
	}

	var links []string
	current := 5
	for _, privacy := range []int{5, 3, 4, 2, 1, 3} {
		if privacy != current {
			body := map[string]any{"privacy": privacy}
			if privacy == 5 {
				body["videoPasswords"] = []string{"matrix-password"}
			}
			owner.Do("PUT", "/api/v1/videos/"+v.UUID, body).Expect(http.StatusNoContent)
			if publicFiles(current) && publicFiles(privacy) {
				links = nil // public links stay public: nothing to invalidate
			}
			for _, l := range links {
				if publicFiles(privacy) && strings.Contains(l, thumbBase) {
					// The thumbnail's path is the same for all levels:
					// a public video's thumbnail is anyone's.
					continue
				}
				if status, _ := s.Anonymous(t).Fetch(l); status == http.StatusOK {
					t.Errorf("privacy %d -> %d: a link handed out before still works: %s", current, privacy, l)
				}
			}
			current = privacy
		}
		var table strings.Builder
		fmt.Fprintf(&table, "privacy %d:\n", privacy)
		for _, who := range viewers {
			token := who.c.FileToken(v.UUID, "")
			want := slices.Contains(allowed[privacy], who.name)
			fmt.Fprintf(&table, "  %-13s", who.name)
			for _, r := range m.resources {
				got := m.read(who.c, token, r)
				mark := "-"
				if got {
					mark = "ok"
				}
				fmt.Fprintf(&table, " %s=%s", r.name, mark)
				if got != want {
					t.Errorf("privacy %d, %s, %s: readable = %v, want %v", privacy, who.name, r.name, got, want)
				}
			}
			table.WriteString("\n")
			checkListed(t, who.c, v.UUID, privacy == 1 || (privacy == 4 && who.name != "anonymous"))
		}
		t.Log(table.String())
		links = m.handedOut(t, owner, onS3, publicFiles(privacy))
	}
}

func publicFiles(privacy int) bool { return privacy == 1 || privacy == 2 }

// handedOut returns the links the owner's player was given: the master
// and media playlists and a segment URL out of the media playlist (a
// presigned URL with S3), and the thumbnail. It also checks where the
// segment URLs of a non-public video point: at the server with a token,
// or at the bucket.
func (m *matrixVideo) handedOut(t *testing.T, owner *servertest.Client, onS3, public bool) []string {
	t.Helper()
	var v servertest.PublishedVideo
	owner.Do("GET", "/api/v1/videos/"+m.uuid, nil).Expect(http.StatusOK).JSON(&v)
	master := v.StreamingPlaylists[0].PlaylistURL
	media := v.StreamingPlaylists[0].Files[0].PlaylistURL
	if !public {
		token := owner.FileToken(m.uuid, "")
		master += "?videoFileToken=" + url.QueryEscape(token)
		media += "?videoFileToken=" + url.QueryEscape(token)
	}
	status, body := owner.Fetch(media)
	if status != http.StatusOK {
		t.Fatalf("the owner cannot read %s: %d %s", media, status, body)
	}
	seg := firstSegment(body)
	switch {
	case public && seg != m.segment:
		t.Errorf("public media playlist names segment %q, want the plain name %q", seg, m.segment)
	case !public && onS3 && !strings.HasPrefix(seg, os.Getenv("CUTTLE_TEST_S3_ENDPOINT")+"/"):
		t.Errorf("with S3 the segments of a private playlist must come from the bucket; got %q", seg)
	case !public && !onS3 && !strings.HasPrefix(seg, m.segment+"?videoFileToken="):
		t.Errorf("a private playlist must carry the token in its segment URIs; got %q", seg)
	}
	return []string{master, media, resolveURL(media, seg), m.s.URL + v.ThumbnailPath}
}

// checkListed checks whether the video appears in the public list the
// client sees.
func checkListed(t *testing.T, c *servertest.Client, videoUUID string, want bool) {
	t.Helper()
	var l videoList
	c.Do("GET", "/api/v1/videos?count=100", nil).Expect(http.StatusOK).JSON(&l)
	got := false
	for _, v := range l.Data {
		got = got || v.UUID == videoUUID
	}
	if got != want {
		t.Errorf("video listed = %v, want %v", got, want)
	}
}
