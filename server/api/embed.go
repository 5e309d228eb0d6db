package api

import (
	"fmt"
	"html"
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/player"
	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/web"
	"cuttle.video/transcoder/job"
)

// embedPlayer is the data of embed.html.
type embedPlayer struct {
	Playlist, Poster, Tracker, UUID string
	Notice, WatchURL                string
}

// embedPage is /videos/embed/{uuid}: the player alone, for an iframe on
// another site. It shows what an anonymous visitor may watch, as other
// sites' frames carry no session (the cookies are SameSite=Lax).
func (s *server) embedPage(c *gin.Context) {
	site := s.site(c, "")
	ctx := c.Request.Context()
	page := web.Page{Site: site, Title: web.T(site.Lang, "embed.unavailable")}
	v, err := s.Videos.Get(ctx, nil, c.Param("id"))
	if err != nil {
		p := problem.From(err)
		data := embedPlayer{Notice: web.T(site.Lang, "embed.missing")}
		if p.Code == problem.CodeVideoRequiresPassword || p.Code == problem.CodeIncorrectVideoPassword {
			data.Notice = web.T(site.Lang, "embed.password")
		}
		page.Data = data
		s.renderPage(c, p.Status, "embed.html", page)
		return
	}
	page.Title = v.Name
	data := embedPlayer{UUID: v.UUID, WatchURL: s.PublicURL + "/w/" + v.ShortUUID}
	status := http.StatusOK
	switch {
	case !player.Built():
		data.Notice, status = web.T(site.Lang, "embed.notBuilt"), http.StatusServiceUnavailable
	case v.State == database.StatePublished:
		data.Playlist = s.mediaURL(v, job.MasterPlaylist) + s.fileQuery(v)
		data.Tracker = s.trackerURL(v)
		if res := hlsResult(v); res != nil && res.Preview != "" {
			data.Poster = s.PublicURL + previewPath + v.UUID + ".jpg" + s.fileQuery(v)
		}
	case v.State == database.StateTranscodingFailed:
		data.Notice = web.T(site.Lang, "embed.failed")
	default:
		data.Notice = web.T(site.Lang, "embed.transcoding")
	}
	page.Data = data
	s.renderPage(c, status, "embed.html", page)
}

// share is the share dialog's content for a video: its link, and an
// iframe of its embed page.
func (s *server) share(v *database.Video) *web.Share {
	return &web.Share{
		Link: s.PublicURL + "/w/" + v.ShortUUID,
		Embed: fmt.Sprintf(`<iframe title="%s" width="560" height="315" src="%s/videos/embed/%s" `+
			`style="border: 0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen `+
			`sandbox="allow-same-origin allow-scripts allow-popups"></iframe>`,
			html.EscapeString(v.Name), s.PublicURL, v.UUID),
		AssetVersion: player.Version(),
	}
}
