package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// subscriptionRoutes are PeerTube's "My subscriptions": the channels a
// user follows, and their videos.
func (s *server) subscriptionRoutes(v1 *gin.RouterGroup) {
	subs := v1.Group("/users/me/subscriptions", session.RequireUser)
	subs.GET("", s.listSubscriptions)
	subs.POST("", s.subscribe)
	subs.GET("/exist", s.subscriptionsExist)
	subs.GET("/videos", s.subscriptionVideos)
	subs.GET("/:handle", s.getSubscription)
	subs.DELETE("/:handle", s.unsubscribe)
}

func (s *server) listSubscriptions(c *gin.Context) {
	p, err := httpserve.PageParams(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	chs, total, err := s.Federation.ListSubscriptions(c.Request.Context(), session.Viewer(c).Account, p.Start, p.Count)
	s.serveChannelList(c, chs, total, err)
}

// subscribe follows the channel PeerTube's client names: {"uri":
// "name@host"} (a channel's URL works too).
func (s *server) subscribe(c *gin.Context) {
	var body struct {
		URI string `json:"uri"`
	}
	if err := httpserve.DecodeJSON(c, &body); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Federation.Subscribe(c.Request.Context(), session.Viewer(c).Account, body.URI); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// subscriptionsExist answers ?uris=a@host&uris=b with {"a@host": true,
// "b": false}.
func (s *server) subscriptionsExist(c *gin.Context) {
	found, err := s.Federation.SubscriptionExists(c.Request.Context(), session.Viewer(c).Account, c.QueryArray("uris"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, found)
}

func (s *server) subscriptionVideos(c *gin.Context) {
	s.videoListFor(c, videos.ListParams{Subscriptions: true})
}

func (s *server) getSubscription(c *gin.Context) {
	ch, err := s.Federation.Subscription(c.Request.Context(), session.Viewer(c).Account, c.Param("handle"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.serveChannel(c, ch)
}

func (s *server) unsubscribe(c *gin.Context) {
	if err := s.Federation.Unsubscribe(c.Request.Context(), session.Viewer(c).Account, c.Param("handle")); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// searchRemoteChannel answers a signed-in user's channel search for a
// handle or URL with that channel, fetched from its server when remote.
func (s *server) searchRemoteChannel(c *gin.Context, ref string) {
	ch, err := s.Federation.FindChannel(c.Request.Context(), ref)
	if err != nil {
		serveNothingFound(c, err)
		return
	}
	c.JSON(http.StatusOK, list[channelJSON]{Total: 1, Data: []channelJSON{s.channel(ch)}})
}

// searchRemoteVideo answers a signed-in user's video search for another
// server's video URL with that video, fetched and stored here.
func (s *server) searchRemoteVideo(c *gin.Context, ref string) {
	v, err := s.Federation.ResolveVideo(c.Request.Context(), ref)
	if err != nil {
		serveNothingFound(c, err)
		return
	}
	c.JSON(http.StatusOK, list[videoJSON]{Total: 1, Data: []videoJSON{s.video(v)}})
}

// serveNothingFound answers a search for one object that could not be
// found with an empty list, as PeerTube does: only the instance's own
// failures are errors.
func serveNothingFound(c *gin.Context, err error) {
	if problem.From(err).Status >= http.StatusInternalServerError {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list[any]{Data: []any{}})
}
