package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/metrics"
)

// playbackReport takes a player's statistics (PeerTube's
// POST /api/v1/metrics/playback).
func (s *server) playbackReport(c *gin.Context) {
	if err := s.Playback.Allow(httpserve.ClientKey(c)); err != nil {
		httpserve.Fail(c, err)
		return
	}
	var rep metrics.Report
	if err := httpserve.DecodeJSON(c, &rep); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := rep.Validate(); err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.Playback.Record(rep)
	c.Status(http.StatusNoContent)
}
