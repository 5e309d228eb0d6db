package web

import (
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/player/bundle"
	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/p2p"
	"cuttle.video/server/problem"
)

// embedPlayer is the data of embed.html.
type embedPlayer struct {
	Playlist, Hashes, Poster, Tracker, UUID string
	Notice, WatchURL                        string
}

// embedPage is /videos/embed/{uuid}: the player alone, for an iframe on
// another site. It shows what an anonymous visitor may watch, as other
// sites' frames carry no session (the cookies are SameSite=Lax).
func (s *pages) embedPage(c *gin.Context) {
	site := s.site(c, "")
	ctx := c.Request.Context()
	page := Page{Site: site, Title: T(site.Lang, "embed.unavailable")}
	v, err := s.Videos.Get(ctx, nil, c.Param("id"))
	if err != nil {
		p := problem.From(err)
		data := embedPlayer{Notice: T(site.Lang, "embed.missing")}
		if p.Code == problem.CodeVideoRequiresPassword || p.Code == problem.CodeIncorrectVideoPassword {
			data.Notice = T(site.Lang, "embed.password")
		}
		page.Data = data
		s.renderPage(c, p.Status, "embed.html", page)
		return
	}
	page.Title = v.Name
	data := embedPlayer{UUID: v.UUID, WatchURL: s.PublicURL + "/w/" + v.ShortUUID}
	status := http.StatusOK
	switch {
	case !bundle.Built():
		data.Notice, status = T(site.Lang, "embed.notBuilt"), http.StatusServiceUnavailable
	case v.State == database.StatePublished:
		data.Playlist, data.Hashes, data.Tracker, data.Poster = s.playback(v)
	case v.State == database.StateTranscodingFailed:
		data.Notice = T(site.Lang, "embed.failed")
	default:
		data.Notice = T(site.Lang, "embed.transcoding")
	}
	page.Data = data
	s.renderPage(c, status, "embed.html", page)
}

// share is the share dialog's content for a video: its link, and an
// iframe of its embed page.
func (s *pages) share(v *database.Video) *Share {
	return &Share{
		Link: s.PublicURL + "/w/" + v.ShortUUID,
		Embed: fmt.Sprintf(`<iframe title="%s" width="560" height="315" src="%s/videos/embed/%s" `+
			`style="border: 0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen `+
			`sandbox="allow-same-origin allow-scripts allow-popups"></iframe>`,
			html.EscapeString(v.Name), s.PublicURL, v.UUID),
		AssetVersion: bundle.Version(),
	}
}

// playback is what a player needs to play a published video: its master
// playlist, its segment hash map (which peers' segments are checked
// against; its name is the transcoding's, so the player cannot guess it),
// its tracker socket (empty when P2P is off) and its poster (empty
// without a preview). The pages are only rendered for viewers who may see
// the video, so a non-public video's URLs carry a file token.
func (s *pages) playback(v *database.Video) (playlist, hashes, tracker, poster string) {
	if rm := media.Remote(v); rm != nil {
		return rm.Master, rm.SegmentsSHA256, s.remoteTracker(rm), rm.Preview
	}
	if v.PreviewSource != "" {
		poster = s.URLs.Poster(v)
	}
	if res := media.Result(v); res != nil && res.SegmentsSHA256 != "" {
		hashes = s.URLs.HLS(v, res.SegmentsSHA256) + s.URLs.Query(v)
	}
	return s.URLs.Master(v), hashes, s.trackerURL(v), poster
}

// remoteTracker is the origin's tracker socket of a remote video, where
// its viewers on every instance meet; none when this instance's admin
// turned P2P off, whose viewers then never share their addresses.
func (s *pages) remoteTracker(rm *media.RemoteMedia) string {
	if !s.P2P {
		return ""
	}
	for _, t := range rm.Trackers {
		if strings.HasPrefix(t, "wss://") || strings.HasPrefix(t, "ws://") {
			return t
		}
	}
	return ""
}

// trackerURL is the tracker socket URL the watch page gives the player;
// empty when P2P is off. The page is only rendered for viewers who may
// see the video, so a non-public video's URL carries a file token, as its
// playlist URL does.
func (s *pages) trackerURL(v *database.Video) string {
	if !s.P2P {
		return ""
	}
	token := s.URLs.Token(v)
	return p2p.TrackerURL(s.PublicURL, v.UUID, token)
}
