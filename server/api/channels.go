package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

func (s *server) listChannels(c *gin.Context) { s.channelListFor(c, 0) }

func (s *server) channelListFor(c *gin.Context, accountID int64) {
	p, err := httpserve.PageParams(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	chs, total, err := s.Accounts.ListChannels(c.Request.Context(), accountID, p.Start, p.Count, p.Sort)
	s.serveChannelList(c, chs, total, err)
}

func (s *server) serveChannelList(c *gin.Context, chs []database.Channel, total int, err error) {
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	out := list[channelJSON]{Total: total, Data: make([]channelJSON, 0, len(chs))}
	for i := range chs {
		ch, err := s.countedChannel(c.Request.Context(), &chs[i])
		if err != nil {
			httpserve.Fail(c, err)
			return
		}
		out.Data = append(out.Data, ch)
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) createChannel(c *gin.Context) {
	var req struct {
		Name        string  `json:"name"`
		DisplayName *string `json:"displayName"`
		Description *string `json:"description"`
		Support     *string `json:"support"`
	}
	if err := httpserve.DecodeJSON(c, &req); err != nil {
		httpserve.Fail(c, err)
		return
	}
	ch, err := s.Accounts.CreateChannel(c.Request.Context(), session.Viewer(c), req.Name, accounts.ChannelFields{
		DisplayName: req.DisplayName, Description: req.Description, Support: req.Support,
	})
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"videoChannel": gin.H{"id": ch.ID}})
}

func (s *server) getChannel(c *gin.Context) {
	ch, err := s.Accounts.KnownChannel(c.Request.Context(), c.Param("handle"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.serveChannel(c, ch)
}

func (s *server) updateChannel(c *gin.Context) {
	var f accounts.ChannelFields
	if err := httpserve.DecodeJSON(c, &f); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Accounts.UpdateChannel(c.Request.Context(), session.Viewer(c), c.Param("handle"), f); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) deleteChannel(c *gin.Context) {
	if err := s.Accounts.DeleteChannel(c.Request.Context(), session.Viewer(c), c.Param("handle")); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) channelVideos(c *gin.Context) {
	ch, err := s.Accounts.KnownChannel(c.Request.Context(), c.Param("handle"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.videoListFor(c, videos.ListParams{ChannelID: ch.ID})
}

// serveChannel answers with one channel and its counts.
func (s *server) serveChannel(c *gin.Context, ch *database.Channel) {
	out, err := s.countedChannel(c.Request.Context(), ch)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
