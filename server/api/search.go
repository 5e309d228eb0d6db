package api

import (
	"net/http"
	"strings"

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
	search, tags := c.Query("search"), c.QueryArray("tagsOneOf")
	if err := videos.ValidateSearch(search, tags); err != nil {
		httpserve.Fail(c, err)
		return
	}
	// PeerTube sorts searches by relevance ("-match") by default; without
	// a relevance score, newest first stands in for it.
	if strings.TrimPrefix(p.Sort, "-") == "match" {
		p.Sort = ""
	}
	vs, total, err := s.Videos.List(c.Request.Context(), session.Viewer(c), videos.ListParams{
		Start: p.Start, Count: p.Count, Sort: p.Sort, Search: search, TagsOneOf: tags,
	})
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.videoList(vs, total))
}
