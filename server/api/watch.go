package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/player"
	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/web"
	"cuttle.video/transcoder/job"
)

// watch renders the watch page at /w/{shortUUID} and /videos/watch/{uuid}
// for whoever may see the video: anyone for public ones, the signed-in
// owner, moderators or users of the instance for the others.
func (s *server) watch(c *gin.Context) {
	ctx := c.Request.Context()
	s.pageSession(c)
	page := web.WatchPage{Title: "Video", AssetVersion: player.Version(), Site: s.site(c, "")}
	lang := page.Site.Lang
	v, err := s.Videos.Get(ctx, viewer(c), c.Param("id"))
	if err != nil {
		p := problem.From(err)
		page.Notice = web.T(lang, "watch.missing")
		if p.Status == http.StatusUnauthorized || p.Status == http.StatusForbidden {
			page.Notice = web.T(lang, "watch.notPublic")
		}
		if p.Code == problem.CodeVideoRequiresPassword && player.Built() {
			// The page asks for the password and plays the video itself.
			page.Title, page.PasswordVideo = web.T(lang, "watch.password.title"), c.Param("id")
			page.Notice = web.T(lang, "watch.password.notice")
			s.render(c, http.StatusOK, page)
			return
		}
		s.render(c, p.Status, page)
		return
	}
	page.Title, page.Video = v.Name, v
	if v.Channel != nil {
		page.Channel = v.Channel.DisplayName
	}
	page.Published, page.PublishedISO = v.PublishedAt.Format("2 January 2006"), v.PublishedAt.Format(time.RFC3339)
	status := http.StatusOK
	switch {
	case !player.Built():
		page.Notice, status = web.T(lang, "watch.notBuilt"), http.StatusServiceUnavailable
	case v.State == database.StatePublished:
		page.Playlist = s.mediaURL(v, job.MasterPlaylist) + s.fileQuery(v)
		page.Tracker = s.trackerURL(v)
		page.Share = s.share(v)
		s.watchExtras(ctx, v, &page)
		if res := hlsResult(v); res != nil && res.Preview != "" {
			page.Poster = s.PublicURL + previewPath + v.UUID + ".jpg" + s.fileQuery(v)
		}
	case v.State == database.StateTranscodingFailed:
		// Only those who may manage the video reach it before it is
		// published, so the reason is theirs to read.
		page.Notice = web.T(lang, "watch.failed", v.StateReason)
	default:
		page.Notice = web.T(lang, "watch.transcoding")
		if j, err := s.Jobs.Latest(ctx, v.ID); err == nil && j != nil && j.Progress > 0 {
			page.Notice = web.T(lang, "watch.transcodingProgress", int(j.Progress*100))
		}
	}
	s.render(c, status, page)
}

func (s *server) render(c *gin.Context, status int, page web.WatchPage) {
	if err := web.RenderWatch(c.Writer, status, page); err != nil {
		s.Log.ErrorContext(c.Request.Context(), "render page", "err", err)
	}
}

// playerAssets serves the player bundle; its URLs carry a version, so it
// can be cached for good.
func (s *server) playerAssets() gin.HandlerFunc {
	files := http.FileServer(http.FS(player.Assets()))
	return func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
		http.StripPrefix("/player", files).ServeHTTP(c.Writer, c.Request)
	}
}
