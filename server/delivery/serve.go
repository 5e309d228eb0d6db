package delivery

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/storage"
)

var mediaFileRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

func (s *server) hlsFile(c *gin.Context) {
	id, file := c.Param("uuid"), c.Param("file")
	if _, err := uuid.Parse(id); err != nil || !mediaFileRE.MatchString(file) {
		httpserve.Fail(c, problem.NotFound("file"))
		return
	}
	// Only public and unlisted videos have files under this prefix, so
	// the video need not be loaded: segments are served at file speed.
	if path.Ext(file) == ".m3u8" {
		s.servePublicPlaylist(c, media.PublicMediaPrefix(id)+file)
		return
	}
	s.serveMedia(c, media.PublicMediaPrefix(id)+file)
}

// servePublicPlaylist relays a public playlist once every URI in it is
// a file of its directory.
func (s *server) servePublicPlaylist(c *gin.Context, key string) {
	body, ok := s.readPlaylist(c, key)
	if !ok {
		return
	}
	if _, err := rewritePlaylist(body, func(uri string) (string, error) { return uri, localURI(uri) }); err != nil {
		httpserve.Fail(c, playlistProblem(err))
		return
	}
	c.Header("Cache-Control", publicMedia.mutable)
	mediaHeaders(c)
	c.Data(http.StatusOK, storage.ContentTypeFor(key), body)
}

// image serves a thumbnail or preview named {uuid}.jpg; those of videos
// whose files are not public need a videoFileToken.
func (s *server) image(file string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := strings.CutSuffix(c.Param("file"), ".jpg")
		if _, err := uuid.Parse(id); !ok || err != nil {
			httpserve.Fail(c, problem.NotFound("image"))
			return
		}
		s.serveVideoFile(c, id, file)
	}
}

// playlistLike files change when a video is transcoded again, or its
// captions replaced; everything else under a video's directory is
// written once under a fresh name.
func playlistLike(key string) bool {
	ext := path.Ext(key)
	return ext == ".m3u8" || ext == ".json" || ext == ".jpg" || ext == ".vtt"
}

// mediaPolicy says how media answers may be cached (files written once,
// playlist-like files, redirects), how long presigned redirects last,
// and, for a download, the name browsers save it as.
type mediaPolicy struct {
	immutable, mutable, redirect string
	presignTTL                   time.Duration
	saveAs                       string
}

var publicMedia = mediaPolicy{
	immutable: "public, max-age=31536000, immutable", mutable: "public, max-age=60",
	redirect: "private, max-age=600", presignTTL: time.Hour,
}

// serveMedia answers from media storage. Local files are served with
// ranges and conditional requests. With S3, playlists are relayed (so
// their relative URIs keep pointing here) and segments are redirected to
// a presigned URL, so their bytes never pass through the server.
func (s *server) serveMedia(c *gin.Context, key string) { s.serveMediaWith(c, key, publicMedia) }

func (s *server) serveMediaWith(c *gin.Context, key string, policy mediaPolicy) {
	s.serveMediaAs(c, key, storage.ContentTypeFor(key), policy)
}

// serveMediaAs is serveMediaWith for a key whose name does not tell its
// type.
func (s *server) serveMediaAs(c *gin.Context, key, contentType string, policy mediaPolicy) {
	ctx := c.Request.Context()
	cache := policy.immutable
	if playlistLike(key) {
		cache = policy.mutable
	}
	if s.Redirect && !playlistLike(key) {
		url, err := s.presign(ctx, key, policy)
		if err != nil {
			httpserve.Fail(c, problem.Internal(err))
			return
		}
		c.Header("Cache-Control", policy.redirect)
		// Players of other sites (instances that follow this one) see
		// the redirect only if it too allows them.
		mediaHeaders(c)
		c.Redirect(http.StatusFound, url)
		return
	}
	rc, info, err := s.Store.Get(ctx, key, nil)
	if errors.Is(err, storage.ErrNotFound) {
		httpserve.Fail(c, problem.NotFound("file"))
		return
	}
	if err != nil {
		httpserve.Fail(c, problem.Internal(err))
		return
	}
	defer rc.Close()
	c.Header("Content-Type", contentType)
	c.Header("Cache-Control", cache)
	mediaHeaders(c)
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(sendfileWriter{c.Writer}, c.Request, "", info.LastModified, rs)
		return
	}
	c.Header("Content-Length", strconv.FormatInt(info.Size, 10))
	c.Status(http.StatusOK)
	if c.Request.Method != http.MethodHead {
		_, _ = io.Copy(c.Writer, rc)
	}
}

// presign is the URL a redirect sends the client to: one whose answer
// keeps the download's name, where the store can sign that.
func (s *server) presign(ctx context.Context, key string, policy mediaPolicy) (string, error) {
	if dp, ok := s.Store.(storage.DownloadPresigner); ok && policy.saveAs != "" {
		return dp.PresignDownload(ctx, key, policy.presignTTL, policy.saveAs)
	}
	return s.Store.PresignGet(ctx, key, policy.presignTTL)
}

// mediaHeaders marks an answer as media that players on any origin may
// fetch. nosniff holds browsers to the declared type, so no stored file
// is ever taken for a page or a script.
func mediaHeaders(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	httpserve.NoSniff(c)
}

func noSniff(c *gin.Context) { c.Header("X-Content-Type-Options", "nosniff") }

// sendfileWriter hands file bodies to the connection's ReadFrom, which
// uses sendfile(2); gin's writer does not offer ReadFrom, and copying
// through user space made segment serving several times costlier.
type sendfileWriter struct{ gin.ResponseWriter }

func (w sendfileWriter) ReadFrom(r io.Reader) (int64, error) {
	w.WriteHeaderNow()
	if u, ok := w.ResponseWriter.(interface{ Unwrap() http.ResponseWriter }); ok {
		if rf, ok := u.Unwrap().(io.ReaderFrom); ok {
			return rf.ReadFrom(r)
		}
	}
	return io.Copy(w.ResponseWriter, r)
}
