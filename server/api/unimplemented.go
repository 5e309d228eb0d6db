package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
)

// PeerTube's routes this server does not implement yet, among the paths
// that would otherwise be read as a video's or a user's id and answered
// "video not found" or "must be a positive integer id". They say what
// they are instead. Other unknown paths get the engine's "no such
// route".
var notImplemented = []struct{ method, path string }{
	{http.MethodGet, "/videos/imports"}, {http.MethodPost, "/videos/imports"},
	{http.MethodGet, "/videos/live"}, {http.MethodPost, "/videos/live"},
	{http.MethodGet, "/videos/ownership"},
	{http.MethodGet, "/videos/blacklist"},
	{http.MethodGet, "/users/registrations"},
	{http.MethodPost, "/users/registrations/request"},
	{http.MethodPost, "/users/ask-send-verify-email"},
}

func (s *server) unimplementedRoutes(v1 *gin.RouterGroup) {
	for _, r := range notImplemented {
		v1.Handle(r.method, r.path, func(c *gin.Context) {
			httpserve.Fail(c, problem.New(http.StatusNotFound,
				"%s %s is part of PeerTube's API but this server does not implement it", c.Request.Method, c.Request.URL.Path))
		})
	}
}
