package delivery

import (
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/media"
	"cuttle.video/server/p2p"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/server/torrent"
	"cuttle.video/server/videos"
	"cuttle.video/storage"
)

// A video's original is its web video file until the video is published
// (see media.ListsOriginal): served with ranges under PeerTube's web video
// routes, with its torrent, and as attachments under /download when the
// video allows downloads (see downloadsOpen). It follows its video's
// privacy as every file does: the files of videos that are neither public
// nor unlisted need a file token, or a user who may see the video.

// webVideo serves /static/web-videos/{file} (private false) and
// /static/web-videos/private/{file}.
func (s *server) webVideo(private bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, tok, ok := s.originalAccess(c, media.WebVideoFile)
		if !ok {
			return
		}
		if private == media.PublicFiles(v.Privacy) {
			// Each privacy has its one route, as HLS files do.
			httpserve.Fail(c, problem.NotFound("file"))
			return
		}
		s.serveOriginal(c, v, tok, v.OriginalKey, media.WebVideoFile(v))
	}
}

// torrent serves /lazy-static/torrents/{file} and, as an attachment,
// /download/torrents/{file}: the torrent of the original while it is
// listed, or of a published rendition. Either is stored without web seed
// or tracker, which are set as the request finds the video: the file's
// URL now (its path follows the video's privacy), with the file token
// the request came with for a video that is not public.
func (s *server) torrent(attachment bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, _, ok := media.RenditionTorrent(c.Param("file")); ok {
			s.renditionTorrent(c, attachment)
			return
		}
		v, _, ok := s.originalAccess(c, media.TorrentFile)
		if !ok || attachment && !downloadsOpen(c, v) {
			return
		}
		f := torrent.File{WebSeed: s.URLs.Absolute(media.WebVideoPath(v)) + media.TokenQuery(requestToken(c, v))}
		s.serveTorrent(c, v, media.OriginalTorrentKey(v.UUID), f, attachment, media.TorrentName(v)+".torrent")
	}
}

// renditionTorrent serves the torrent of a rendition, which names the
// video's tracker too.
func (s *server) renditionTorrent(c *gin.Context, attachment bool) {
	id, resolution, _ := media.RenditionTorrent(c.Param("file"))
	v, _, ok := s.fileAccess(c, id)
	if !ok {
		return
	}
	r, ok := media.Rendition(v, resolution)
	if !ok || r.InfoHash == "" {
		httpserve.Fail(c, problem.NotFound("file"))
		return
	}
	if attachment && !downloadsOpen(c, v) {
		return
	}
	f := p2p.RenditionTorrent(s.URLs, v, r, requestToken(c, v), s.Tracker != nil)
	s.serveTorrent(c, v, media.MediaPrefix(v)+media.TorrentKey(r), f, attachment, media.RenditionDownloadName(v, resolution)+".torrent")
}

// requestToken is the file token the request came with, which the URLs
// a torrent names carry on: none for public files.
func requestToken(c *gin.Context, v *database.Video) string {
	if media.PublicFiles(v.Privacy) {
		return ""
	}
	return c.Query(media.TokenParam)
}

// serveTorrent answers with the torrent stored at key, its sources set
// to f's; as an attachment saved as saveAs when attachment is true.
func (s *server) serveTorrent(c *gin.Context, v *database.Video, key string, f torrent.File, attachment bool, saveAs string) {
	stored, err := storage.ReadAll(c.Request.Context(), s.Store, key, maxTorrentSize)
	if err != nil {
		httpserve.Fail(c, problem.Internal(fmt.Errorf("delivery: read the torrent of video %s: %w", v.UUID, err)))
		return
	}
	body, err := torrent.WithSources(stored, f)
	if err != nil {
		httpserve.Fail(c, problem.Internal(err))
		return
	}
	if attachment {
		c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": saveAs}))
	}
	// The web seed may carry a token: never shared caches.
	c.Header("Cache-Control", "private, no-cache")
	mediaHeaders(c)
	c.Data(http.StatusOK, storage.ContentTypeFor(".torrent"), body)
}

// maxTorrentSize bounds a stored torrent read back to be served: 20
// bytes a piece, and pieces of at least 16 KiB.
const maxTorrentSize = 8 << 20

// downloadOriginal serves /download/web-videos/{file}: the original as
// an attachment saved under the torrent's name, when the video allows
// downloads.
func (s *server) downloadOriginal(c *gin.Context) {
	v, tok, ok := s.originalAccess(c, media.WebVideoFile)
	if !ok || !downloadsOpen(c, v) {
		return
	}
	s.serveDownload(c, v, tok, v.OriginalKey, media.WebVideoFile(v), media.TorrentName(v))
}

// downloadRendition serves /download/streaming-playlists/hls/videos/{file}:
// a rendition's fragmented MP4 as an attachment, when the video allows
// downloads, under the same file token rules as its HLS files.
func (s *server) downloadRendition(c *gin.Context) {
	id, resolution, ok := media.RenditionDownload(c.Param("file"))
	if !ok {
		httpserve.Fail(c, problem.NotFound("file"))
		return
	}
	v, tok, ok := s.fileAccess(c, id)
	if !ok {
		return
	}
	r, ok := media.Rendition(v, resolution)
	if !ok {
		httpserve.Fail(c, problem.NotFound("file"))
		return
	}
	if !downloadsOpen(c, v) {
		return
	}
	s.serveDownload(c, v, tok, media.MediaPrefix(v)+r.File, r.File, media.RenditionDownloadName(v, resolution))
}

// downloadsOpen tells whether the request may download v's files: when
// the video allows downloads, and always for its owner, whose files they
// are. On refusal the answer is written.
func downloadsOpen(c *gin.Context, v *database.Video) bool {
	if v.DownloadEnabled || videos.IsOwner(session.Viewer(c), v) {
		return true
	}
	httpserve.Fail(c, problem.Forbidden("the downloads of this video are disabled"))
	return false
}

// originalAccess finds the video whose original a file name (as name
// builds it) stands for, and checks that the request may read its files
// and that the original is listed. On refusal the answer is written and
// ok is false.
func (s *server) originalAccess(c *gin.Context, name func(*database.Video) string) (*database.Video, media.FileToken, bool) {
	file := c.Param("file")
	id, ok := media.WebVideoUUID(file)
	if !ok {
		httpserve.Fail(c, problem.NotFound("file"))
		return nil, media.FileToken{}, false
	}
	v, tok, ok := s.fileAccess(c, id)
	if !ok {
		return nil, media.FileToken{}, false
	}
	if !media.ListsOriginal(v) || name(v) != file {
		httpserve.Fail(c, problem.NotFound("file"))
		return nil, media.FileToken{}, false
	}
	return v, tok, true
}

// serveOriginal serves the stored key as a file named name, whose
// extension gives its type, cached as its video's privacy allows.
func (s *server) serveOriginal(c *gin.Context, v *database.Video, tok media.FileToken, key, name string) {
	s.serveMediaAs(c, key, storage.ContentTypeFor(name), filePolicy(v, tok))
}

// serveDownload is serveOriginal for an attachment that browsers save as
// saveAs, presigned so when the answer is a redirect to the store.
func (s *server) serveDownload(c *gin.Context, v *database.Video, tok media.FileToken, key, name, saveAs string) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": saveAs}))
	policy := filePolicy(v, tok)
	policy.saveAs = saveAs
	s.serveMediaAs(c, key, storage.ContentTypeFor(name), policy)
}

func filePolicy(v *database.Video, tok media.FileToken) mediaPolicy {
	if !media.PublicFiles(v.Privacy) {
		return privateMedia(max(time.Until(tok.Expires), time.Second))
	}
	return publicMedia
}

// privateMedia is how the files of non-public videos may be cached:
// by the viewer's browser only, and presigned for as long as the file
// token lasts.
func privateMedia(ttl time.Duration) mediaPolicy {
	return mediaPolicy{immutable: "private, max-age=3600", mutable: "private, no-cache", redirect: "no-store", presignTTL: ttl}
}
