package web

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/player/bundle"
	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/languages"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// The watch page's template; it is parsed with the other pages (see
// site.go), whose header it includes.
//
//go:embed templates
var templates embed.FS

// WatchPage is what the watch page shows.
type WatchPage struct {
	Title   string
	Video   *database.Video
	Channel string
	// Origin and OriginURL name the instance a remote video comes from
	// and its page there; empty for a local video.
	Origin, OriginURL string
	Published         string
	PublishedISO      string
	// Playlist is the master playlist URL; empty while the video cannot
	// be played, and Notice says why.
	Playlist string
	// Hashes is the URL of the segment hash map the player checks
	// segments from peers against.
	Hashes string
	Poster string
	Notice string
	// Transcoding says the video is still being transcoded: the page
	// follows its job and plays it in place once it is published.
	// Progress is the job's, in percent; 0 until it reports.
	Transcoding bool
	Progress    int
	// AssetVersion busts caches of the player bundle.
	AssetVersion string
	// Tracker is the P2P tracker socket URL for this video; empty when
	// peer-to-peer delivery is off.
	Tracker string
	// PasswordVideo is the id of a password-protected video: the page
	// asks for its password instead of showing it.
	PasswordVideo string
	// Chapters are listed under the player, which reads them from the
	// WebVTT track at ChaptersTrack; Captions are the subtitle languages.
	Chapters      []WatchChapter
	ChaptersTrack string
	Captions      []WatchCaption
	// Site is what the shared header shows; Share fills the share dialog
	// of a published video.
	Site  Site
	Share *Share
	// Downloads fill the download dialog: the renditions of a published
	// video that allows downloads, or whose owner is watching.
	Downloads []WatchDownload
}

// RenderWatch writes the watch page with status.
func RenderWatch(w http.ResponseWriter, status int, p WatchPage) error {
	return site.render(w, status, p.Site.Lang, "watch.html", p)
}

// WatchChapter is one entry of the watch page's chapter list.
type WatchChapter struct {
	Seconds int
	// Time is Seconds as a clock, "1:02:03" or "02:03".
	Time  string
	Title string
}

// WatchCaption is one caption language of the watch page; the player
// finds the subtitles themselves in the master playlist.
type WatchCaption struct {
	Language string
	Label    string
	// URL is the WebVTT file, for downloading.
	URL string
}

// WatchDownload is one file of the watch page's download dialog.
type WatchDownload struct {
	// Label is the rendition's resolution, "720p", or says it is sound
	// alone.
	Label string
	Size  int64
	// URL sends the file as an attachment, with a file token when one
	// is needed; Torrent its torrent, when it has one.
	URL, Torrent string
}

// watch renders the watch page at /w/{shortUUID} and /videos/watch/{uuid}
// for whoever may see the video: anyone for public ones, the signed-in
// owner, moderators or users of the instance for the others.
func (s *pages) watch(c *gin.Context) {
	c.Header("Vary", "Accept")
	if s.VideoDocument != nil && actors.AcceptsActivityPub(c.GetHeader("Accept")) {
		s.VideoDocument(c)
		return
	}
	ctx := c.Request.Context()
	s.Sessions.Page(c)
	page := WatchPage{Title: "Video", AssetVersion: bundle.Version(), Site: s.site(c, "")}
	lang := page.Site.Lang
	v, err := s.Videos.Get(ctx, session.Viewer(c), c.Param("id"))
	if err != nil {
		p := problem.From(err)
		page.Notice = T(lang, "watch.missing")
		if p.Status == http.StatusUnauthorized || p.Status == http.StatusForbidden {
			page.Notice = T(lang, "watch.notPublic")
		}
		if p.Code == problem.CodeVideoRequiresPassword && bundle.Built() {
			// The page asks for the password and plays the video itself.
			page.Title, page.PasswordVideo = T(lang, "watch.password.title"), c.Param("id")
			page.Notice = T(lang, "watch.password.notice")
			s.render(c, http.StatusOK, page)
			return
		}
		s.render(c, p.Status, page)
		return
	}
	page.Title, page.Video = v.Name, v
	if v.Channel != nil {
		page.Channel = v.Channel.DisplayName
		if rm := media.Remote(v); rm != nil {
			page.Origin, page.OriginURL = v.Channel.Host, cmp.Or(rm.WatchURL, v.URL)
		}
	}
	page.Published, page.PublishedISO = v.PublishedAt.Format("2 January 2006"), v.PublishedAt.Format(time.RFC3339)
	status := http.StatusOK
	switch {
	case !bundle.Built():
		page.Notice, status = T(lang, "watch.notBuilt"), http.StatusServiceUnavailable
	case v.State == database.StatePublished:
		page.Playlist, page.Hashes, page.Tracker, page.Poster = s.playback(v)
		page.Share = s.share(v)
		page.Downloads = s.downloads(v, session.Viewer(c), lang)
		s.watchExtras(ctx, v, &page)
	case v.State == database.StateTranscodingFailed:
		// Only those who may manage the video reach it before it is
		// published, so the reason is theirs to read.
		page.Notice = T(lang, "watch.failed", v.StateReason)
	default:
		page.Transcoding, page.Notice = true, T(lang, "watch.transcoding")
		if j, err := s.Jobs.Latest(ctx, v.ID); err == nil && j != nil && j.Progress > 0 {
			page.Progress = int(j.Progress * 100)
			page.Notice = T(lang, "watch.transcodingProgress", page.Progress)
		}
	}
	s.render(c, status, page)
}

func (s *pages) render(c *gin.Context, status int, page WatchPage) {
	if err := RenderWatch(c.Writer, status, page); err != nil {
		s.Log.ErrorContext(c.Request.Context(), "render page", "err", err)
	}
}

// watchExtras adds the chapters and captions of a playable video to its
// watch page. The video plays without them, so a failure to load them
// is logged and the page shown anyway.
func (s *pages) watchExtras(ctx context.Context, v *database.Video, page *WatchPage) {
	cs, err := s.Chapters.Of(ctx, v)
	if err != nil {
		s.Log.WarnContext(ctx, "watch page: chapters", "video", v.UUID, "err", err)
	}
	if len(cs) > 0 {
		page.ChaptersTrack = "/api/v1/videos/" + v.UUID + "/chapters.vtt"
		for _, c := range cs {
			page.Chapters = append(page.Chapters, WatchChapter{Seconds: c.Timecode, Time: clock(c.Timecode), Title: c.Title})
		}
	}
	caps, err := s.Captions.Of(ctx, v)
	if err != nil {
		s.Log.WarnContext(ctx, "watch page: captions", "video", v.UUID, "err", err)
	}
	for _, c := range caps {
		page.Captions = append(page.Captions, WatchCaption{
			Language: c.Language, Label: languages.Label(c.Language),
			URL: media.CaptionPath(v.UUID, c.Language) + s.URLs.Query(v),
		})
	}
}

// downloads lists the renditions of a published video that the viewer
// may download: all when the video allows downloads or the viewer owns
// it, none otherwise. The download routes apply the same rule.
func (s *pages) downloads(v *database.Video, viewer *database.User, lang string) []WatchDownload {
	if rm := media.Remote(v); rm != nil {
		return remoteDownloads(v, rm, lang)
	}
	res := media.Result(v)
	if res == nil || res.Legacy() || !v.DownloadEnabled && !videos.IsOwner(viewer, v) {
		return nil
	}
	q := s.URLs.Query(v)
	out := make([]WatchDownload, 0, len(res.Renditions))
	for _, r := range res.Renditions {
		d := WatchDownload{Label: T(lang, "watch.download.audio"), Size: r.Size, URL: s.URLs.RenditionDownload(v, r.Resolution()) + q}
		if !r.AudioOnly() {
			d.Label = strconv.Itoa(r.Resolution()) + "p"
		}
		if r.InfoHash != "" {
			d.Torrent = s.URLs.RenditionTorrentDownload(v, r.Resolution()) + q
		}
		out = append(out, d)
	}
	return out
}

// clock writes a chapter's time as creators write chapters in a
// description and players list them: 02:03, or 1:02:03 past an hour.
// A video's length on a card is written without the leading zero (see
// formatDuration), as video sites show lengths.
// remoteDownloads lists a remote video's renditions, downloaded from its
// origin, when the origin allows downloads.
func remoteDownloads(v *database.Video, rm *media.RemoteMedia, lang string) []WatchDownload {
	if !v.DownloadEnabled {
		return nil
	}
	out := make([]WatchDownload, 0, len(rm.Renditions))
	for _, r := range rm.Renditions {
		d := WatchDownload{Label: T(lang, "watch.download.audio"), Size: r.Size, URL: r.URL, Torrent: r.TorrentURL}
		if r.Height > 0 {
			d.Label = strconv.Itoa(r.Height) + "p"
		}
		out = append(out, d)
	}
	return out
}

func clock(s int) string {
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}
