package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
)

// unimplementedRoutes answers PeerTube's routes without parameters that
// this server does not serve. They must be routes of their own: under
// /videos/ or /users/ the engine would read their last segment as a
// video's or a user's id and answer "video not found". For the same
// reason a path none of whose methods is served answers GET too (a
// client probing it must not be told of a missing video). Routes with
// parameters are left to UnknownRoute. Call it once every other route is
// registered.
func (s *server) unimplementedRoutes(r *gin.Engine, v1 *gin.RouterGroup) {
	served := map[string]bool{}
	for _, rt := range r.Routes() {
		served[rt.Method+" "+rt.Path] = true
		served[rt.Path] = true
	}
	for _, route := range peerTubeRoutes {
		methods, path, _ := strings.Cut(route, " ")
		if strings.Contains(path, "{") {
			continue
		}
		full := v1.BasePath() + path
		if !served[full] && !strings.Contains(","+methods+",", ",GET,") {
			methods += "," + http.MethodGet
		}
		if strings.Contains(","+methods+",", ",GET,") {
			// HEAD is GET's, as for the routes served.
			methods += "," + http.MethodHead
		}
		for _, m := range strings.Split(methods, ",") {
			if !served[m+" "+full] {
				v1.Handle(m, path, failNotImplemented)
				served[m+" "+full] = true
			}
		}
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
