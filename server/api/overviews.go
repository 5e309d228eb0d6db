package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// PeerTube's VideosOverview.
type videosOverviewJSON struct {
	Categories []categoryOverviewJSON `json:"categories"`
	Channels   []channelOverviewJSON  `json:"channels"`
	Tags       []tagOverviewJSON      `json:"tags"`
}

type categoryOverviewJSON struct {
	Category idLabel[*int] `json:"category"`
	Videos   []videoJSON   `json:"videos"`
}

type channelOverviewJSON struct {
	Channel actorSummaryJSON `json:"channel"`
	Videos  []videoJSON      `json:"videos"`
}

type tagOverviewJSON struct {
	Tag    string      `json:"tag"`
	Videos []videoJSON `json:"videos"`
}

// videosOverview is GET /api/v1/overviews/videos?page=N.
func (s *server) videosOverview(c *gin.Context) {
	page := 1
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			httpserve.Fail(c, problem.Invalid(map[string]string{"page": "must be a number"}))
			return
		}
		page = n
	}
	o, err := s.Videos.Overview(c.Request.Context(), session.Viewer(c), page)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	out := videosOverviewJSON{
		Categories: make([]categoryOverviewJSON, 0, len(o.Categories)),
		Channels:   make([]channelOverviewJSON, 0, len(o.Channels)),
		Tags:       make([]tagOverviewJSON, 0, len(o.Tags)),
	}
	for _, g := range o.Categories {
		out.Categories = append(out.Categories, categoryOverviewJSON{
			Category: optionalLabel(g.Category, videos.Categories), Videos: s.videoList(g.Videos, 0).Data,
		})
	}
	for _, g := range o.Channels {
		out.Channels = append(out.Channels, channelOverviewJSON{Channel: s.channelSummary(g.Channel), Videos: s.videoList(g.Videos, 0).Data})
	}
	for _, g := range o.Tags {
		out.Tags = append(out.Tags, tagOverviewJSON{Tag: g.Tag, Videos: s.videoList(g.Videos, 0).Data})
	}
	c.JSON(http.StatusOK, out)
}
