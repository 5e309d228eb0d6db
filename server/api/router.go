// Package api is the HTTP face of the server: PeerTube-compatible REST
// routes under /api/v1 and health checks. Handlers only authenticate,
// bind and validate input shapes; the rules live in the processing
// packages (accounts, videos, uploads).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/auth"
	"cuttle.video/server/captions"
	"cuttle.video/server/chapters"
	"cuttle.video/server/engagement"
	"cuttle.video/server/instance"
	"cuttle.video/server/jobs"
	"cuttle.video/server/metrics"
	"cuttle.video/server/p2p"
	"cuttle.video/server/tracker"
	"cuttle.video/server/uploads"
	"cuttle.video/server/videos"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
)

// Deps is everything the handlers need, built by the composition root.
type Deps struct {
	PublicURL string
	Accounts  *accounts.Service
	Videos    *videos.Service
	Uploads   *uploads.Service
	// LoginLimiter bounds token requests per client address.
	LoginLimiter *auth.Limiter
	// Clients says how clients are told apart and bounds their bodies.
	Clients Clients
	// Ready reports whether the server's backing services answer.
	Ready func(ctx context.Context) error
	// Media serves signed URLs of local media storage; nil with S3.
	Media http.Handler
	// MediaStore holds originals and renditions.
	MediaStore storage.Store
	Jobs       *jobs.Service
	Log        *slog.Logger
	// P2P, Tracker and Playback serve peer-to-peer delivery; Tracker is
	// nil when the admin turned P2P off.
	P2P      *p2p.Service
	Tracker  *tracker.Tracker
	Playback *metrics.Playback
	// Instance holds the settings admins change from the web interface.
	Instance *instance.Service
	// Chapters, Captions and Engagement (views, ratings, comments) are
	// the rules of what a video carries besides its media.
	Chapters   *chapters.Service
	Captions   *captions.Service
	Engagement *engagement.Service
}

type server struct {
	Deps
	// hostname is PublicURL's host, which PeerTube puts in actors' "host".
	hostname string
}

// New returns the HTTP handler of the whole server.
func New(d Deps) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	s := &server{Deps: d}
	s.trustProxies(r)
	if u, err := url.Parse(d.PublicURL); err == nil {
		s.hostname = u.Host
	}
	r.Use(s.requestLog, s.recoverPanic, s.limitBody)
	r.NoRoute(s.noRoute)
	r.NoMethod(func(c *gin.Context) { s.fail(c, methodNotAllowed(c)) })

	r.GET("/healthz", s.health)
	r.GET("/w/:id", s.watch)
	r.GET("/videos/watch/:id", s.watch)
	r.GET("/player/*file", compressedAssets(), s.playerAssets())
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		r.Handle(m, hlsPath+":uuid/:file", s.hlsFile)
		r.Handle(m, thumbnailPath+":file", s.image(job.ThumbnailFile))
		r.Handle(m, previewPath+":file", s.image(job.PreviewFile))
	}
	if d.Media != nil {
		r.Any("/storage/*key", gin.WrapH(http.StripPrefix("/storage", d.Media)))
	}

	v1 := r.Group("/api/v1", s.authenticate)
	v1.GET("/oauth-clients/local", s.localClient)
	v1.POST("/users/token", smallForm(s.fail), s.token)
	v1.POST("/users/revoke-token", s.requireUser, s.revokeToken)

	v1.GET("/users/me", s.requireUser, s.me)
	v1.PUT("/users/me", s.requireUser, s.updateMe)
	v1.GET("/users/me/video-quota-used", s.requireUser, s.myQuota)
	v1.GET("/users/me/videos", s.requireUser, s.myVideos)
	admin := v1.Group("/users", s.requireUser, s.requireRole(0))
	admin.GET("", s.listUsers)
	admin.POST("", s.createUser)
	admin.GET("/:id", s.getUser)
	admin.PUT("/:id", s.updateUser)
	admin.DELETE("/:id", s.deleteUser)

	jobsAdmin := v1.Group("/jobs", s.requireUser, s.requireRole(0))
	jobsAdmin.GET("", s.listJobs)
	jobsAdmin.GET("/:state", s.listJobs)
	jobsAdmin.POST("/:state/retry", s.retryJob)

	v1.GET("/accounts/:name", s.getAccount)
	v1.GET("/accounts/:name/videos", s.accountVideos)
	v1.GET("/accounts/:name/video-channels", s.accountChannels)

	v1.GET("/video-channels", s.listChannels)
	v1.POST("/video-channels", s.requireUser, s.createChannel)
	v1.GET("/video-channels/:handle", s.getChannel)
	v1.PUT("/video-channels/:handle", s.requireUser, s.updateChannel)
	v1.DELETE("/video-channels/:handle", s.requireUser, s.deleteChannel)
	v1.GET("/video-channels/:handle/videos", s.channelVideos)

	v1.GET("/videos", s.listVideos)
	v1.GET("/videos/categories", s.labels(categories))
	v1.GET("/videos/licences", s.labels(licences))
	v1.GET("/videos/privacies", s.labels(videos.Privacies))
	v1.POST("/videos/upload", s.uploadBody, s.requireUser, s.uploadLegacy)
	v1.POST("/videos/upload-resumable", s.requireUser, s.uploadInit)
	v1.PUT("/videos/upload-resumable", s.uploadBody, s.requireUser, s.uploadChunk)
	v1.DELETE("/videos/upload-resumable", s.requireUser, s.uploadCancel)
	v1.GET("/videos/:id", s.getVideo)
	v1.GET("/videos/:id/description", s.getVideoDescription)
	v1.PUT("/videos/:id", s.requireUser, s.updateVideo)
	v1.DELETE("/videos/:id", s.requireUser, s.deleteVideo)
	// Feature routes: one call per feature, each defined beside its
	// handlers.
	s.p2pRoutes(r, v1)
	s.webRoutes(r, v1)
	s.privacyRoutes(r, v1)
	s.chapterRoutes(v1)
	s.captionRoutes(r, v1)
	s.storyboardRoutes(r, v1)
	s.engagementRoutes(v1)
	return r
}

func (s *server) health(c *gin.Context) {
	if err := s.Ready(c.Request.Context()); err != nil {
		s.Log.ErrorContext(c.Request.Context(), "health check", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
