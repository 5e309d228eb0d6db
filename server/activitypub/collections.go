package activitypub

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/actors"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/vocab"
)

// collection answers one of an actor's collections: found answers whose
// actor the route names, build the collection or its ?page=N.
func (s *face) collection(found func(ctx context.Context, name string) (actors.Actor, error),
	build func(ctx context.Context, a actors.Actor, page int) (vocab.Object, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		page := 0
		if p := c.Query("page"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 100_000 {
				httpserve.Fail(c, problem.New(http.StatusBadRequest, "page must be a number from 1"))
				return
			}
			page = n
		}
		a, err := found(c.Request.Context(), c.Param("name"))
		if err != nil {
			httpserve.Fail(c, err)
			return
		}
		obj, err := build(c.Request.Context(), a, page)
		if err != nil {
			httpserve.Fail(c, err)
			return
		}
		writeJSON(c, actors.ContentType+"; charset=utf-8", obj)
	}
}

func (s *face) followers(ctx context.Context, a actors.Actor, page int) (vocab.Object, error) {
	return s.Federation.Follows(ctx, a, false, page)
}

func (s *face) following(ctx context.Context, a actors.Actor, page int) (vocab.Object, error) {
	return s.Federation.Follows(ctx, a, true, page)
}

// mountCollections registers the collections of accounts (and the
// instance) and of channels.
func (s *face) mountCollections(r gin.IRoutes) {
	for prefix, found := range map[string]func(context.Context, string) (actors.Actor, error){
		"/accounts/:name": s.Actors.Account, "/video-channels/:name": s.Actors.Channel,
	} {
		r.GET(prefix+"/followers", s.collection(found, s.followers))
		r.GET(prefix+"/following", s.collection(found, s.following))
		r.GET(prefix+"/outbox", s.collection(found, s.Federation.Outbox))
	}
}
