// Package activitypub is the face other servers of the Fediverse talk
// to: discovery (WebFinger, host-meta, NodeInfo) and the documents of
// the instance's actors, answered as PeerTube answers them. Pages of the
// same URLs belong to web; this face sends browsers there.
package activitypub

import (
	"github.com/gin-gonic/gin"

	"cuttle.video/server/actors"
	"cuttle.video/server/auth"
	"cuttle.video/server/federation"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/instance"
	"cuttle.video/server/stats"
)

// Deps is what the face needs, built by the composition root.
type Deps struct {
	Actors   *actors.Service
	Instance *instance.Service
	// Stats gives NodeInfo's usage counts.
	Stats *stats.Service
	// Federation takes what other servers deliver and describes local
	// videos.
	Federation *federation.Service
	// InboxLimit bounds each remote server's deliveries.
	InboxLimit *auth.Limiter
}

type face struct {
	Deps
	replays *replayGuard
}

// Mount registers the face's routes on r.
func Mount(r *gin.Engine, d Deps) {
	s := &face{Deps: d, replays: newReplayGuard()}
	open := r.Group("", allowAnyOrigin)
	open.GET("/.well-known/webfinger", s.webfinger)
	open.GET("/.well-known/host-meta", s.hostMeta)
	open.GET("/.well-known/nodeinfo", s.nodeInfoLinks)
	open.GET("/nodeinfo/:file", s.nodeInfo)
	open.GET("/accounts/:name", s.account)
	open.GET("/video-channels/:name", s.channel)
	s.mountCollections(open)
	open.GET("/videos/watch/:id/comments/:commentId", s.comment)
	open.GET("/videos/watch/:id/likes", s.likes)
	open.GET("/videos/watch/:id/dislikes", s.dislikes)
	r.POST("/inbox", s.inbox)
	r.POST("/accounts/:name/inbox", s.inbox)
	r.POST("/video-channels/:name/inbox", s.inbox)
}

// VideoDocument answers ActivityPub clients at a video's page URL
// (/videos/watch/{id}, which web serves to browsers): the Video object
// of a local public video.
func VideoDocument(d Deps) gin.HandlerFunc {
	return func(c *gin.Context) {
		allowAnyOrigin(c)
		obj, err := d.Federation.LocalVideoObject(c.Request.Context(), c.Param("id"))
		if err != nil {
			httpserve.Fail(c, err)
			return
		}
		writeJSON(c, actors.ContentType+"; charset=utf-8", obj)
	}
}

// allowAnyOrigin lets scripts of other sites read what this face
// publishes, which is public by nature, as PeerTube does.
func allowAnyOrigin(c *gin.Context) { c.Header("Access-Control-Allow-Origin", "*") }
