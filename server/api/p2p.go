package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/metrics"
	"cuttle.video/server/p2p"
	"cuttle.video/server/problem"
	"cuttle.video/server/tracker"
)

// p2pRoutes are peer-to-peer delivery's: the tracker socket, the players'
// playback reports and the metrics that sum them up.
func (s *server) p2pRoutes(r *gin.Engine, v1 *gin.RouterGroup) {
	if s.Tracker != nil {
		r.GET(p2p.TrackerPath, s.trackerSocket)
	}
	if s.Playback != nil {
		v1.POST("/metrics/playback", s.playbackReport)
		// Admins only: the sums say how much the instance serves.
		r.GET("/metrics", s.authenticate, s.requireUser, s.requireRole(0), gin.WrapH(s.Playback.Handler(s.Tracker)))
	}
}

// trackerSocket opens a tracker socket for the video named in the URL;
// the viewer must be allowed to watch it (see p2p.Service.Grant).
func (s *server) trackerSocket(c *gin.Context) {
	video, err := p2p.VideoKey(c.Query(p2p.VideoParam))
	if err != nil {
		s.fail(c, err)
		return
	}
	token := c.Query(p2p.TokenParam)
	err = s.Tracker.Serve(c.Writer, c.Request, video, clientKey(c), func(ctx context.Context) (tracker.Grant, error) {
		return s.P2P.Grant(ctx, video, token)
	})
	switch {
	case err == nil:
	case errors.Is(err, tracker.ErrTooManyConnections):
		s.fail(c, problem.New(http.StatusTooManyRequests, "too many tracker connections from this address"))
	case errors.Is(err, tracker.ErrClosed):
		s.fail(c, problem.New(http.StatusServiceUnavailable, "the tracker is shutting down"))
	default:
		s.fail(c, err)
	}
}

// playbackReport takes a player's statistics (PeerTube's
// POST /api/v1/metrics/playback).
func (s *server) playbackReport(c *gin.Context) {
	if err := s.Playback.Allow(clientKey(c)); err != nil {
		s.fail(c, err)
		return
	}
	var rep metrics.Report
	if err := decodeJSON(c, &rep); err != nil {
		s.fail(c, err)
		return
	}
	if err := rep.Validate(); err != nil {
		s.fail(c, err)
		return
	}
	s.Playback.Record(rep)
	c.Status(http.StatusNoContent)
}

// trackerURL is the tracker socket URL the watch page gives the player;
// empty when P2P is off. The page is only rendered for viewers who may
// see the video, so a non-public video's URL carries a file token, as its
// playlist URL does.
func (s *server) trackerURL(v *database.Video) string {
	if s.Tracker == nil || s.P2P == nil || !s.P2P.Enabled() {
		return ""
	}
	token := ""
	if !media.PublicFiles(v.Privacy) {
		token = s.Videos.IssueFileToken(v).Token
	}
	return p2p.TrackerURL(s.PublicURL, v.UUID, token)
}
