package media

import (
	"encoding/json"
	"net/url"

	"cuttle.video/server/database"
	"cuttle.video/server/jobs"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
)

// PeerTube's paths of media files, which its clients build themselves.
const (
	HLSPath        = "/static/streaming-playlists/hls/"
	PrivateHLSPath = HLSPath + "private/"
	ThumbnailPath  = "/lazy-static/thumbnails/"
	PreviewPath    = "/lazy-static/previews/"
	CaptionPath    = "/lazy-static/video-captions/"
	StoryboardPath = "/lazy-static/storyboards/"
	// FileTokenParam is PeerTube's query parameter for file tokens.
	FileTokenParam = "videoFileToken"
)

// URLs addresses a video's files for whoever may see the video.
type URLs struct {
	publicURL string
	store     storage.Store
	token     func(*database.Video) string
}

// NewURLs returns the addresses of files in store, for a site served at
// publicURL; token issues file tokens for videos whose files are not
// public.
func NewURLs(publicURL string, store storage.Store, token func(*database.Video) string) *URLs {
	return &URLs{publicURL: publicURL, store: store, token: token}
}

// File is the absolute URL of a file of a video's HLS directory: on the
// CDN or public bucket when there is one, else on this server. The
// files of videos that are neither public nor unlisted are only on this
// server's private path, which needs a file token (see Query).
func (u *URLs) File(v *database.Video, name string) string {
	if !jobs.PublicFiles(v.Privacy) {
		return u.publicURL + PrivateHLSPath + v.UUID + "/" + name
	}
	if pub, ok := u.store.PublicURL(jobs.MediaPrefix(v) + name); ok {
		return pub
	}
	return u.publicURL + HLSPath + v.UUID + "/" + name
}

// Query is the query string that opens the files of v for whoever was
// allowed to load it: empty for public and unlisted videos, a fresh
// file token otherwise. Only answers to viewers who may see v carry it.
func (u *URLs) Query(v *database.Video) string {
	if jobs.PublicFiles(v.Privacy) {
		return ""
	}
	return "?" + FileTokenParam + "=" + url.QueryEscape(u.token(v))
}

// The paths below are relative to the site, as PeerTube gives them;
// q is Query(v), computed once per answer.

// Thumbnail is the path of a video's thumbnail.
func Thumbnail(v *database.Video, q string) string { return ThumbnailPath + v.UUID + ".jpg" + q }

// Preview is the path of a video's preview, the player's poster.
func Preview(v *database.Video, q string) string { return PreviewPath + v.UUID + ".jpg" + q }

// Caption is the path of a video's caption file in language.
func Caption(v *database.Video, language, q string) string {
	return CaptionPath + v.UUID + "-" + language + ".vtt" + q
}

// Storyboard is the path of a video's storyboard sheet.
func Storyboard(v *database.Video, q string) string { return StoryboardPath + v.UUID + ".jpg" + q }

// Result decodes a video's last transcoding result; nil before one.
func Result(v *database.Video) *job.VODHLSResult {
	if v.HLS == "" {
		return nil
	}
	var res job.VODHLSResult
	if err := json.Unmarshal([]byte(v.HLS), &res); err != nil {
		return nil
	}
	return &res
}
