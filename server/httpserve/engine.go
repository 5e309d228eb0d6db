package httpserve

import (
	"log/slog"

	"github.com/gin-gonic/gin"
)

// NewEngine returns the router every face of the server mounts its
// routes on: it tells clients apart as clients says, tags and logs each
// request, recovers from panics and bounds how slowly bodies may come.
func NewEngine(log *slog.Logger, clients Clients) *gin.Engine {
	log = TagRequests(log)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	clients.trust(r, log)
	r.Use(requestLog(log), recoverPanic, clients.limitBody)
	r.NoMethod(MethodNotAllowed)
	return r
}
