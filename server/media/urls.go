package media

import (
	"context"
	"net/url"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/storage"
)

// Routes under which this server serves a video's files, PeerTube's. The
// route of a video's media directory takes "{uuid}/{file}"; the others
// take the names ThumbnailPath, PreviewPath, CaptionPath and
// StoryboardPath build.
const (
	HLSRoute        = "/static/streaming-playlists/hls/"
	PrivateHLSRoute = HLSRoute + "private/"
	ThumbnailRoute  = "/lazy-static/thumbnails/"
	PreviewRoute    = "/lazy-static/previews/"
	CaptionRoute    = "/lazy-static/video-captions/"
	StoryboardRoute = "/lazy-static/storyboards/"
)

// ThumbnailPath is the path of a video's thumbnail on this server.
func ThumbnailPath(videoUUID string) string { return ThumbnailRoute + videoUUID + ".jpg" }

// PreviewPath is the path of a video's preview (the player's poster).
func PreviewPath(videoUUID string) string { return PreviewRoute + videoUUID + ".jpg" }

// CaptionPath is the path of a video's WebVTT caption in a language.
func CaptionPath(videoUUID, language string) string {
	return CaptionRoute + videoUUID + "-" + language + ".vtt"
}

// StoryboardPath is the path of a video's storyboard sprite sheet.
func StoryboardPath(videoUUID string) string { return StoryboardRoute + videoUUID + ".jpg" }

// TokenParam is PeerTube's query parameter for video file tokens: players
// and <img> elements cannot send headers.
const TokenParam = "videoFileToken"

// FileToken opens the files of one non-public video until it expires.
type FileToken struct {
	Token   string
	Expires time.Time
}

// FileTokens issues file tokens; videos.Service does, after checking
// nothing: callers make sure first that the viewer may see the video.
type FileTokens interface {
	IssueFileToken(v *database.Video) FileToken
}

// TokenQuery is the query string that carries a file token; empty for no
// token, as public files need none.
func TokenQuery(token string) string {
	if token == "" {
		return ""
	}
	return "?" + TokenParam + "=" + url.QueryEscape(token)
}

// URLs builds the addresses clients fetch a video's files by. Every
// method that takes a video expects a viewer allowed to see it: the
// addresses of non-public files carry a fresh file token.
type URLs struct {
	public string
	store  storage.Store
	tokens FileTokens
}

// NewURLs returns the URL builder of a server reachable at publicURL
// (the configured public_url: scheme and host, no trailing slash), whose
// media are in store.
func NewURLs(publicURL string, store storage.Store, tokens FileTokens) *URLs {
	return &URLs{public: publicURL, store: store, tokens: tokens}
}

// Absolute is the URL of a path on this server.
func (u *URLs) Absolute(path string) string { return u.public + path }

// Token is a fresh file token for the files of v, or "" when they are
// public.
func (u *URLs) Token(v *database.Video) string {
	if PublicFiles(v.Privacy) {
		return ""
	}
	return u.tokens.IssueFileToken(v).Token
}

// Query is the query string that opens the files of v: empty when they
// are public, a fresh file token otherwise.
func (u *URLs) Query(v *database.Video) string { return TokenQuery(u.Token(v)) }

// HLS is the absolute URL of a file of v's media directory, without a
// token: on the CDN or public bucket when the store has one, else on
// this server. The files of videos that are neither public nor unlisted
// are only on this server's private route, which needs a file token.
func (u *URLs) HLS(v *database.Video, file string) string {
	if !PublicFiles(v.Privacy) {
		return u.public + PrivateHLSRoute + v.UUID + "/" + file
	}
	if url, ok := u.store.PublicURL(MediaPrefix(v) + file); ok {
		return url
	}
	return u.public + HLSRoute + v.UUID + "/" + file
}

// Master is the URL a player opens to play v: its master playlist, with
// a file token when one is needed; empty before v is transcoded.
func (u *URLs) Master(v *database.Video) string {
	res := Result(v)
	if res == nil {
		return ""
	}
	return u.HLS(v, res.MasterPlaylist()) + u.Query(v)
}

// Poster is the absolute URL of v's preview, with a file token when one
// is needed.
func (u *URLs) Poster(v *database.Video) string {
	return u.Absolute(PreviewPath(v.UUID)) + u.Query(v)
}

// RenditionDownload is the absolute URL that sends v's rendition of a
// resolution as an attachment, without a token: callers add Query(v).
func (u *URLs) RenditionDownload(v *database.Video, resolution int) string {
	return u.Absolute(DownloadHLSRoute + RenditionDownloadFile(v, resolution))
}

// RenditionTorrent and RenditionTorrentDownload are the absolute URLs of
// the torrent of v's rendition of a resolution, and of the same as an
// attachment, without a token: callers add Query(v).
func (u *URLs) RenditionTorrent(v *database.Video, resolution int) string {
	return u.Absolute(TorrentRoute + RenditionTorrentFile(v, resolution))
}

func (u *URLs) RenditionTorrentDownload(v *database.Video, resolution int) string {
	return u.Absolute(DownloadTorrentRoute + RenditionTorrentFile(v, resolution))
}

// Presigned is a URL of the store itself for a file of v's media
// directory, valid for ttl: with S3, the bucket serves the bytes.
func (u *URLs) Presigned(ctx context.Context, v *database.Video, file string, ttl time.Duration) (string, error) {
	return u.store.PresignGet(ctx, MediaPrefix(v)+file, ttl)
}

// WebVideoURLs are the addresses of a video's original as a web video
// file (see ListsOriginal): the file, its torrent, and the routes that
// send either as an attachment.
type WebVideoURLs struct {
	File, FileDownload, Torrent, TorrentDownload string
}

// WebVideo is where v's original and its torrent are, with one fresh
// file token for all when one is needed.
func (u *URLs) WebVideo(v *database.Video) WebVideoURLs {
	q := u.Query(v)
	return WebVideoURLs{
		File:            u.Absolute(WebVideoPath(v)) + q,
		FileDownload:    u.Absolute(DownloadWebVideoRoute+WebVideoFile(v)) + q,
		Torrent:         u.Absolute(TorrentRoute+TorrentFile(v)) + q,
		TorrentDownload: u.Absolute(DownloadTorrentRoute+TorrentFile(v)) + q,
	}
}
