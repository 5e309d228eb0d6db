package api

import (
	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/videos"
)

// searchVideos is PeerTube's GET /api/v1/search/videos: every word of
// search must be in the name or be a tag. It takes the parameters of
// every video list, and their visibility rules.
func (s *server) searchVideos(c *gin.Context) {
	p, err := videoListQuery(c, videos.ListParams{})
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.serveVideoList(c, videos.Search(p))
}
