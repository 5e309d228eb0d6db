package delivery

import (
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/storage"
)

// The files of videos that are neither public nor unlisted live under a
// private prefix (see media.MediaPrefix) that only these handlers read.
// A request needs the videoFileToken query parameter, or a user who may
// see the video. Playlists are rewritten so that every URI in them
// carries the token: relative ones served here with the local directory,
// presigned ones straight from the bucket with S3, so segment bytes never
// pass through the server there. Those URLs expire with the token.

// privateHLSFile serves /static/streaming-playlists/hls/private/{uuid}/{file}.
func (s *server) privateHLSFile(c *gin.Context) {
	id, file := c.Param("uuid"), c.Param("file")
	if _, err := uuid.Parse(id); err != nil || !mediaFileRE.MatchString(file) {
		httpserve.Fail(c, problem.NotFound("file"))
		return
	}
	v, tok, ok := s.fileAccess(c, id)
	if !ok {
		return
	}
	if media.PublicFiles(v.Privacy) {
		// Public files are under the public path, not here.
		httpserve.Fail(c, problem.NotFound("file"))
		return
	}
	s.servePrivateFile(c, v, tok, file)
}

// serveVideoFile serves a file of a video's media directory by the
// video's uuid, following its privacy: anyone's for public and unlisted
// videos, else only with a file token or as a user who may see it.
// Routes that name files by their video (thumbnails, previews,
// storyboards) use it; none may read a media directory otherwise.
func (s *server) serveVideoFile(c *gin.Context, videoUUID, file string) {
	v, tok, ok := s.fileAccess(c, videoUUID)
	if !ok {
		return
	}
	if media.PublicFiles(v.Privacy) {
		s.serveMedia(c, media.MediaPrefix(v)+file)
		return
	}
	s.servePrivateFile(c, v, tok, file)
}

// fileAccess authenticates the request as the API does (bearer token or
// session) and asks whether it may read the files of the video ref names
// (see videos.Service.FileAccess). On refusal the answer is written and
// ok is false.
func (s *server) fileAccess(c *gin.Context, ref string) (*database.Video, media.FileToken, bool) {
	session.VideoPassword(c)
	s.Sessions.Authenticate(c)
	if c.IsAborted() {
		return nil, media.FileToken{}, false
	}
	v, tok, err := s.Videos.FileAccess(c.Request.Context(), ref, session.Viewer(c), c.Query(media.TokenParam))
	if err != nil {
		httpserve.Fail(c, err)
		return nil, media.FileToken{}, false
	}
	return v, tok, true
}

func (s *server) servePrivateFile(c *gin.Context, v *database.Video, tok media.FileToken, file string) {
	ttl := max(time.Until(tok.Expires), time.Second)
	if path.Ext(file) == ".m3u8" {
		s.servePrivatePlaylist(c, v, tok, file, ttl)
		return
	}
	s.serveMediaWith(c, media.MediaPrefix(v)+file, privateMedia(ttl))
}

func (s *server) servePrivatePlaylist(c *gin.Context, v *database.Video, tok media.FileToken, file string, ttl time.Duration) {
	ctx := c.Request.Context()
	prefix := media.MediaPrefix(v)
	body, ok := s.readPlaylist(c, prefix+file)
	if !ok {
		return
	}
	query := media.TokenQuery(tok.Token)
	out, err := rewritePlaylist(body, func(uri string) (string, error) {
		switch err := localURI(uri); {
		case err != nil:
			return "", err
		case s.Redirect && path.Ext(uri) != ".m3u8":
			// S3: a presigned URL per file, so the bucket serves them.
			return s.Store.PresignGet(ctx, prefix+uri, ttl)
		default:
			return uri + query, nil
		}
	})
	if err != nil {
		httpserve.Fail(c, playlistProblem(err))
		return
	}
	c.Header("Cache-Control", "private, no-store")
	mediaHeaders(c)
	c.Data(http.StatusOK, storage.ContentTypeFor(file), out)
}
