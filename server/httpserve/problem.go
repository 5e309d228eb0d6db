package httpserve

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/netlimit"
	"cuttle.video/server/problem"
)

// Fail writes err as problem+json and stops the request. Internal causes
// are logged, with the request id, and never sent.
func Fail(c *gin.Context, err error) {
	if errors.Is(err, netlimit.ErrTooSlow) {
		err = problem.New(http.StatusRequestTimeout, "%s", netlimit.ErrTooSlow.Error()).WithErr(err)
	}
	p := problem.From(err)
	LogRefusal(c, p, "request")
	for k, vs := range p.Header {
		for _, v := range vs {
			c.Writer.Header().Add(k, v)
		}
	}
	body, merr := json.Marshal(p.Body())
	if merr != nil {
		body = []byte(`{"status":500,"title":"Internal Server Error"}`)
	}
	c.Data(p.Status, problem.ContentType, body)
	c.Abort()
}

// LogRefusal logs why a request was answered with p, at the level its
// status deserves: server faults as errors, unless the client went away
// first, and refusals with a cause for debugging. what names the kind of
// request ("request", "page").
func LogRefusal(c *gin.Context, p *problem.Problem, what string) {
	ctx := c.Request.Context()
	log := Logger(c)
	switch {
	case p.Status >= 500 && ctx.Err() != nil:
		// The client went away mid-request; nothing failed on our side.
		log.DebugContext(ctx, "client gone", "err", p.Error())
	case p.Status >= 500:
		log.ErrorContext(ctx, what+" failed", "path", c.Request.URL.Path, "err", p.Error())
	case p.Err != nil:
		log.DebugContext(ctx, what+" refused", "err", p.Error())
	}
}

// NotFound answers a path no route serves.
func NotFound(c *gin.Context) {
	Fail(c, problem.New(http.StatusNotFound, "no such route: %s %s", c.Request.Method, c.Request.URL.Path))
}

// MethodNotAllowed answers a known path asked with the wrong method.
func MethodNotAllowed(c *gin.Context) {
	Fail(c, problem.New(http.StatusMethodNotAllowed, "method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
}

const loggerKey = "httpserve.logger"

// Logger is the server's logger, as the engine's middleware hands it to
// every request.
func Logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(loggerKey); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}
