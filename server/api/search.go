package api

import (
	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/federation"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// searchVideos is PeerTube's GET /api/v1/search/videos: every word of
// search must be in the name or be a tag. It takes the parameters of
// every video list, and their visibility rules. A signed-in user's
// search for a video URL of another server finds that video.
func (s *server) searchVideos(c *gin.Context) {
	if q := c.Query("search"); session.Viewer(c) != nil && federation.IsURL(q) {
		s.searchRemoteVideo(c, q)
		return
	}
	p, err := videoListQuery(c, videos.ListParams{})
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.serveVideoList(c, videos.Search(p))
}

// searchChannels is PeerTube's GET /api/v1/search/video-channels. There
// is no search index to ask: searchTarget=search-index is answered from
// this instance, as PeerTube does when its index is off. A signed-in
// user's search for a handle or URL finds that channel, on this server
// or another.
func (s *server) searchChannels(c *gin.Context) {
	if q := c.Query("search"); session.Viewer(c) != nil && (federation.IsHandle(q) || federation.IsURL(q)) {
		s.searchRemoteChannel(c, q)
		return
	}
	p, err := httpserve.PageParams(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	chs, total, err := s.Accounts.SearchChannels(c.Request.Context(), accounts.ChannelSearch{
		Search: c.Query("search"), Handles: c.QueryArray("handles"), Host: c.Query("host"),
		Start: p.Start, Count: p.Count, Sort: p.Sort,
	})
	s.serveChannelList(c, chs, total, err)
}
