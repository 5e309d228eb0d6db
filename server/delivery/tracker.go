package delivery

import (
	"context"
	"errors"
	"net/http"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/p2p"
	"cuttle.video/server/problem"
	"cuttle.video/server/tracker"
	"github.com/gin-gonic/gin"
)

// trackerSocket opens a tracker socket for the video named in the URL;
// the viewer must be allowed to watch it (see p2p.Service.Grant).
func (s *server) trackerSocket(c *gin.Context) {
	video, err := p2p.VideoKey(c.Query(p2p.VideoParam))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	token := c.Query(p2p.TokenParam)
	err = s.Tracker.Serve(c.Writer, c.Request, video, httpserve.ClientKey(c), func(ctx context.Context) (tracker.Grant, error) {
		return s.P2P.Grant(ctx, video, token)
	})
	switch {
	case err == nil:
	case errors.Is(err, tracker.ErrTooManyConnections):
		httpserve.Fail(c, problem.New(http.StatusTooManyRequests, "too many tracker connections from this address"))
	case errors.Is(err, tracker.ErrClosed):
		httpserve.Fail(c, problem.New(http.StatusServiceUnavailable, "the tracker is shutting down"))
	default:
		httpserve.Fail(c, err)
	}
}
