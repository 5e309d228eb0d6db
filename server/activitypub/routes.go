// Package activitypub is the face other servers of the Fediverse talk
// to: discovery (WebFinger, host-meta, NodeInfo) and the documents of
// the instance's actors, answered as PeerTube answers them. Pages of the
// same URLs belong to web; this face sends browsers there.
package activitypub

import (
	"github.com/gin-gonic/gin"

	"cuttle.video/server/actors"
	"cuttle.video/server/instance"
	"cuttle.video/server/stats"
)

// Deps is what the face needs, built by the composition root.
type Deps struct {
	Actors   *actors.Service
	Instance *instance.Service
	// Stats gives NodeInfo's usage counts.
	Stats *stats.Service
}

type face struct{ Deps }

// Mount registers the face's routes on r.
func Mount(r *gin.Engine, d Deps) {
	s := &face{Deps: d}
	open := r.Group("", allowAnyOrigin)
	open.GET("/.well-known/webfinger", s.webfinger)
	open.GET("/.well-known/host-meta", s.hostMeta)
	open.GET("/.well-known/nodeinfo", s.nodeInfoLinks)
	open.GET("/nodeinfo/:file", s.nodeInfo)
	open.GET("/accounts/:name", s.account)
	open.GET("/video-channels/:name", s.channel)
}

// allowAnyOrigin lets scripts of other sites read what this face
// publishes, which is public by nature, as PeerTube does.
func allowAnyOrigin(c *gin.Context) { c.Header("Access-Control-Allow-Origin", "*") }
