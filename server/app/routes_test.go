package app_test

import (
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/servertest"
)

// Every route of PeerTube's API is served by package api, so a reader
// looking for one finds it there, and the pages, media delivery and
// ActivityPub answer under their own paths only.
func TestRoutesHaveOneHome(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	r, ok := s.App.Handler().(*gin.Engine)
	if !ok {
		t.Fatalf("the handler is a %T, not the router", s.App.Handler())
	}
	const pkg = "cuttle.video/server/"
	faces := map[string]bool{"api": true, "web": true, "delivery": true, "activitypub": true}
	owners := map[string]int{}
	for _, route := range r.Routes() {
		owner, _, _ := strings.Cut(strings.TrimPrefix(route.Handler, pkg), ".")
		owners[owner]++
		if strings.HasPrefix(route.Path, "/api/v1/") && owner != "api" {
			t.Errorf("%s %s is served by %s, not api", route.Method, route.Path, route.Handler)
		}
		if !faces[owner] {
			t.Errorf("%s %s is served by %s, outside the faces", route.Method, route.Path, route.Handler)
		}
	}
	for face := range faces {
		if owners[face] == 0 {
			t.Errorf("no route is served by %s", face)
		}
	}
}
