package media

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/storage"
	"cuttle.video/storage/local"
	"cuttle.video/storage/s3"
)

// fixedToken issues the same token for every video; its characters need
// escaping in a query.
type fixedToken string

func (f fixedToken) IssueFileToken(*database.Video) FileToken { return FileToken{Token: string(f)} }

const site = "https://videos.example.org"

func localStore(t *testing.T) storage.Store {
	t.Helper()
	st, err := local.New(local.Config{Dir: t.TempDir(), BaseURL: "/storage", Secret: []byte("0123456789abcdef0123")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// cdnStore is an S3 store whose objects a CDN serves. Nothing here talks
// to S3: public URLs and presigned ones are computed.
func cdnStore(t *testing.T) storage.Store {
	t.Helper()
	st, err := s3.New(t.Context(), s3.Config{Endpoint: "https://s3.example.org", Region: "us-east-1", Bucket: "media",
		AccessKey: "key", SecretKey: "secret", PathStyle: true, PublicBaseURL: "https://cdn.example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestURLs(t *testing.T) {
	const id = "0d8f5c1e-8d55-4f9e-9d6b-0f8b6a1f2c3d"
	const master = "6c1f0a4e-3b7d-4c2a-9e5f-1a2b3c4d5e6f-master.m3u8"
	hls := `{"renditions":[],"master":"` + master + `"}`
	public := &database.Video{UUID: id, Privacy: database.PrivacyUnlisted, HLS: hls}
	private := &database.Video{UUID: id, Privacy: database.PrivacyPassword, MediaGeneration: 2, HLS: hls}
	const token = "?videoFileToken=1700000000.ab%2Fc%2Bd"
	if got := TokenQuery("1700000000.ab/c+d"); got != token {
		t.Errorf("TokenQuery = %q, want %q", got, token)
	}
	for _, c := range []struct {
		name   string
		store  storage.Store
		v      *database.Video
		hls    string // HLS(v, "720p.m3u8")
		master string
		poster string
		query  string
	}{
		{
			name: "public, local", store: localStore(t), v: public,
			hls:    site + "/static/streaming-playlists/hls/" + id + "/720p.m3u8",
			master: site + "/static/streaming-playlists/hls/" + id + "/" + master,
			poster: site + "/lazy-static/previews/" + id + ".jpg",
		},
		{
			name: "private, local", store: localStore(t), v: private, query: token,
			hls:    site + "/static/streaming-playlists/hls/private/" + id + "/720p.m3u8",
			master: site + "/static/streaming-playlists/hls/private/" + id + "/" + master + token,
			poster: site + "/lazy-static/previews/" + id + ".jpg" + token,
		},
		{
			name: "public, CDN", store: cdnStore(t), v: public,
			hls:    "https://cdn.example.org/videos/" + id + "/hls/720p.m3u8",
			master: "https://cdn.example.org/videos/" + id + "/hls/" + master,
			poster: site + "/lazy-static/previews/" + id + ".jpg",
		},
		{
			// The CDN never gets private files: they need a token.
			name: "private, CDN", store: cdnStore(t), v: private, query: token,
			hls:    site + "/static/streaming-playlists/hls/private/" + id + "/720p.m3u8",
			master: site + "/static/streaming-playlists/hls/private/" + id + "/" + master + token,
			poster: site + "/lazy-static/previews/" + id + ".jpg" + token,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := NewURLs(site, c.store, fixedToken("1700000000.ab/c+d"))
			if c.query == "" && u.Token(c.v) != "" {
				t.Errorf("Token = %q for public files", u.Token(c.v))
			}
			for _, g := range []struct{ what, got, want string }{
				{"HLS", u.HLS(c.v, "720p.m3u8"), c.hls},
				{"Master", u.Master(c.v), c.master},
				{"Poster", u.Poster(c.v), c.poster},
				{"Query", u.Query(c.v), c.query},
			} {
				if g.got != g.want {
					t.Errorf("%s = %q, want %q", g.what, g.got, g.want)
				}
			}
		})
	}
}

func TestPaths(t *testing.T) {
	const id = "0d8f5c1e-8d55-4f9e-9d6b-0f8b6a1f2c3d"
	u := NewURLs(site, localStore(t), fixedToken(""))
	for got, want := range map[string]string{
		ThumbnailPath(id):                 "/lazy-static/thumbnails/" + id + ".jpg",
		PreviewPath(id):                   "/lazy-static/previews/" + id + ".jpg",
		CaptionPath(id, "pt-br"):          "/lazy-static/video-captions/" + id + "-pt-br.vtt",
		StoryboardPath(id):                "/lazy-static/storyboards/" + id + ".jpg",
		u.Absolute(CaptionPath(id, "en")): site + "/lazy-static/video-captions/" + id + "-en.vtt",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}

// A presigned URL reads the file where the video's privacy keeps it, for
// the time asked.
func TestPresigned(t *testing.T) {
	ctx := context.Background()
	v := &database.Video{UUID: "0d8f5c1e-8d55-4f9e-9d6b-0f8b6a1f2c3d", Privacy: database.PrivacyPrivate, MediaGeneration: 4}
	for name, st := range map[string]storage.Store{"local": localStore(t), "s3": cdnStore(t)} {
		t.Run(name, func(t *testing.T) {
			raw, err := NewURLs(site, st, fixedToken("")).Presigned(ctx, v, "720p-00001.m4s", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(u.Path, "/"+MediaPrefix(v)+"720p-00001.m4s") {
				t.Errorf("presigned %s, want a URL of %s", raw, MediaPrefix(v)+"720p-00001.m4s")
			}
			if name == "s3" && u.Query().Get("X-Amz-Expires") != "60" {
				t.Errorf("presigned %s, want it valid for 60 s", raw)
			}
		})
	}
}
