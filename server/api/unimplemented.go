package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
)

// PeerTube's routes this server does not implement yet, among the paths
// that would otherwise be read as a video's or a user's id and answered
// "video not found" or "must be a positive integer id". They say what
// they are instead, as UnknownRoute does for the rest of PeerTube's
// routes.
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
		v1.Handle(r.method, r.path, failNotImplemented)
	}
}

func failNotImplemented(c *gin.Context) {
	httpserve.Fail(c, problem.New(http.StatusNotFound,
		"%s %s is part of PeerTube's API but this server does not implement it", c.Request.Method, c.Request.URL.Path))
}

// UnknownRoute answers a request no route serves: "not implemented" when
// PeerTube's API has the route, "no such route" otherwise. The
// composition root hands it the unknown paths under /api/.
func UnknownRoute(c *gin.Context) {
	if isPeerTubeRoute(c.Request.Method, c.Request.URL.Path) {
		failNotImplemented(c)
		return
	}
	httpserve.NotFound(c)
}

// isPeerTubeRoute tells whether one of peerTubeRoutes has method and
// path; HEAD is GET's.
func isPeerTubeRoute(method, path string) bool {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return false
	}
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	for _, r := range peerTubeRoutes {
		methods, template, _ := strings.Cut(r, " ")
		if !strings.Contains(","+methods+",", ","+method+",") {
			continue
		}
		if matchesTemplate(strings.Split(strings.TrimPrefix(template, "/"), "/"), segs) {
			return true
		}
	}
	return false
}

// matchesTemplate tells whether the segments of a path fit those of a
// template, where {name} fits any segment but an empty one.
func matchesTemplate(template, segs []string) bool {
	if len(template) != len(segs) {
		return false
	}
	for i, t := range template {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if segs[i] == "" {
				return false
			}
		} else if t != segs[i] {
			return false
		}
	}
	return true
}
