package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// searchVideos is PeerTube's GET /api/v1/search/videos: every word of
// search must be in the name or be a tag; tagsOneOf keeps videos with
// one of the tags. The visibility rules are those of the video list.
func (s *server) searchVideos(c *gin.Context) {
	p, err := httpserve.PageParams(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	lp, err := videos.Search(c.Query("search"), c.QueryArray("tagsOneOf"), p.Start, p.Count, p.Sort)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	vs, total, err := s.Videos.List(c.Request.Context(), session.Viewer(c), lp)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.videoList(vs, total))
}
