// Package api is PeerTube's REST API, every route under /api/v1, and the
// machine endpoints beside it (health, playback metrics). Handlers only
// authenticate, bind and validate input shapes, call one processing
// package and shape the answer as PeerTube does; the rules live in the
// processing packages (accounts, videos, uploads, ...). The pages (web)
// and the media bytes (delivery) are its siblings.
package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/captions"
	"cuttle.video/server/chapters"
	"cuttle.video/server/database"
	"cuttle.video/server/engagement"
	"cuttle.video/server/federation"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/images"
	"cuttle.video/server/instance"
	"cuttle.video/server/jobs"
	"cuttle.video/server/media"
	"cuttle.video/server/metrics"
	"cuttle.video/server/session"
	"cuttle.video/server/stats"
	"cuttle.video/server/tracker"
	"cuttle.video/server/uploads"
	"cuttle.video/server/videos"
)

// Deps is everything the handlers need, built by the composition root.
type Deps struct {
	PublicURL string
	Accounts  *accounts.Service
	Sessions  *session.Sessions
	Videos    *videos.Service
	Uploads   *uploads.Service
	Images    *images.Service
	// Clients gives video uploads their longer body grace.
	Clients httpserve.Clients
	// Ready reports whether the server's backing services answer.
	Ready func(ctx context.Context) error
	// URLs addresses the media files the answers point to.
	URLs *media.URLs
	Jobs *jobs.Service
	// Tracker is nil when the admin turned P2P off; Playback sums up
	// the players' reports.
	Tracker  *tracker.Tracker
	Playback *metrics.Playback
	// Instance holds the settings admins change from the web interface.
	Instance *instance.Service
	// Chapters, Captions and Engagement (views, ratings, comments) are
	// the rules of what a video carries besides its media.
	Chapters   *chapters.Service
	Captions   *captions.Service
	Engagement *engagement.Service
	// Stats counts the instance's totals for its statistics.
	Stats *stats.Service
	// Federation follows other instances and lists who follows this one.
	Federation *federation.Service
}

type server struct {
	Deps
	// hostname is PublicURL's host, which PeerTube puts in actors' "host".
	hostname string
}

// Mount registers the API's routes on r. This is the one table of
// /api/v1: each group below lists its routes beside its handlers.
func Mount(r *gin.Engine, d Deps) {
	s := &server{Deps: d}
	if u, err := url.Parse(d.PublicURL); err == nil {
		s.hostname = u.Host
	}
	r.GET("/healthz", s.health)
	if s.Playback != nil {
		// Admins only: the sums say how much the instance serves.
		r.GET("/metrics", s.Sessions.Authenticate, session.RequireUser, session.RequireRole(database.RoleAdmin),
			gin.WrapH(s.Playback.Handler(s.Tracker)))
	}

	v1 := r.Group("/api/v1", session.VideoPassword, s.Sessions.Authenticate)
	admin := []gin.HandlerFunc{session.RequireUser, session.RequireRole(database.RoleAdmin)}
	v1.GET("/oauth-clients/local", s.localClient)
	v1.POST("/users/token", httpserve.SmallForm(httpserve.Fail), s.token)
	v1.POST("/users/revoke-token", session.RequireUser, s.revokeToken)
	v1.POST("/users/register", s.register)

	v1.GET("/users/me", session.RequireUser, s.me)
	v1.PUT("/users/me", session.RequireUser, s.updateMe)
	v1.GET("/users/me/video-quota-used", session.RequireUser, s.myQuota)
	v1.GET("/users/me/videos", session.RequireUser, s.myVideos)
	s.subscriptionRoutes(v1)
	users := v1.Group("/users", admin...)
	users.GET("", s.listUsers)
	users.POST("", s.createUser)
	users.GET("/:id", s.getUser)
	users.PUT("/:id", s.updateUser)
	users.DELETE("/:id", s.deleteUser)

	jobsAdmin := v1.Group("/jobs", admin...)
	jobsAdmin.GET("", s.listJobs)
	jobsAdmin.GET("/:state", s.listJobs)
	jobsAdmin.POST("/:state/retry", s.retryJob)

	v1.GET("/config", s.publicConfig)
	v1.GET("/config/about", s.aboutConfig)
	v1.GET("/server/stats", s.serverStats)
	v1.GET("/server/following", s.listFollowing)
	v1.GET("/server/followers", s.listFollowers)
	v1.POST("/server/following", append(admin, s.followInstances)...)
	v1.DELETE("/server/following/:host", append(admin, s.unfollowInstance)...)
	v1.POST("/server/followers/:handle/accept", append(admin, s.acceptFollower)...)
	v1.POST("/server/followers/:handle/reject", append(admin, s.rejectFollower)...)
	v1.DELETE("/server/followers/:handle", append(admin, s.rejectFollower)...)
	blocklist := v1.Group("/server/blocklist", admin...)
	blocklist.GET("/servers", s.listServerBlocks)
	blocklist.POST("/servers", s.blockServer)
	blocklist.DELETE("/servers/:host", s.unblockServer)
	blocklist.GET("/accounts", s.listAccountBlocks)
	blocklist.POST("/accounts", s.blockAccount)
	blocklist.DELETE("/accounts/:accountName", s.unblockAccount)
	custom := v1.Group("/config/custom", admin...)
	custom.GET("", s.customConfig)
	custom.PUT("", s.updateCustomConfig)

	v1.GET("/accounts/:name", s.getAccount)
	v1.GET("/accounts/:name/videos", s.accountVideos)
	v1.GET("/accounts/:name/video-channels", s.accountChannels)

	v1.GET("/video-channels", s.listChannels)
	v1.POST("/video-channels", session.RequireUser, s.createChannel)
	v1.GET("/video-channels/:handle", s.getChannel)
	v1.PUT("/video-channels/:handle", session.RequireUser, s.updateChannel)
	v1.DELETE("/video-channels/:handle", session.RequireUser, s.deleteChannel)
	v1.GET("/video-channels/:handle/videos", s.channelVideos)

	v1.GET("/overviews/videos", s.videosOverview)
	v1.GET("/search/videos", s.searchVideos)
	v1.GET("/search/video-channels", s.searchChannels)
	v1.GET("/videos", s.listVideos)
	v1.GET("/videos/categories", s.labels(videos.Categories))
	v1.GET("/videos/licences", s.labels(videos.Licences))
	v1.GET("/videos/privacies", s.labels(videos.Privacies))
	v1.GET("/videos/languages", s.videoLanguages)
	v1.POST("/videos/upload", s.Clients.UploadBody, session.RequireUser, s.uploadLegacy)
	v1.POST("/videos/upload-resumable", session.RequireUser, s.uploadInit)
	v1.PUT("/videos/upload-resumable", s.Clients.UploadBody, session.RequireUser, s.uploadChunk)
	v1.DELETE("/videos/upload-resumable", session.RequireUser, s.uploadCancel)
	v1.GET("/videos/:id", s.getVideo)
	v1.GET("/videos/:id/description", s.getVideoDescription)
	v1.PUT("/videos/:id", session.RequireUser, s.updateVideo)
	v1.DELETE("/videos/:id", session.RequireUser, s.deleteVideo)
	// What a video carries besides its media, each group beside its
	// handlers.
	s.passwordRoutes(v1)
	s.chapterRoutes(v1)
	s.captionRoutes(v1)
	s.storyboardRoutes(v1)
	s.fileRoutes(v1)
	s.engagementRoutes(v1)
	s.pictureRoutes(v1)
	if s.Playback != nil {
		v1.POST("/metrics/playback", s.playbackReport)
	}
	s.unimplementedRoutes(r, v1)
}

func (s *server) health(c *gin.Context) {
	if err := s.Ready(c.Request.Context()); err != nil {
		httpserve.Logger(c).ErrorContext(c.Request.Context(), "health check", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
