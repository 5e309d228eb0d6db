package api

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/netlimit"
	"cuttle.video/server/problem"
)

// fail writes err as problem+json. Internal causes are logged with the
// request id and never sent.
func (s *server) fail(c *gin.Context, err error) {
	if errors.Is(err, netlimit.ErrTooSlow) {
		err = problem.New(http.StatusRequestTimeout, "%s", netlimit.ErrTooSlow.Error()).WithErr(err)
	}
	p := problem.From(err)
	ctx := c.Request.Context()
	if p.Status >= 500 && ctx.Err() != nil {
		// The client went away mid-request; nothing failed on our side.
		s.Log.DebugContext(ctx, "client gone", "request_id", c.GetString(requestIDKey), "err", p.Error())
	} else if p.Status >= 500 {
		s.Log.ErrorContext(ctx, "request failed", "request_id", c.GetString(requestIDKey), "err", p.Error())
	} else if p.Err != nil {
		s.Log.DebugContext(ctx, "request refused", "request_id", c.GetString(requestIDKey), "err", p.Error())
	}
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

func notFoundRoute(c *gin.Context) error {
	return problem.New(http.StatusNotFound, "no such route: %s %s", c.Request.Method, c.Request.URL.Path)
}

func methodNotAllowed(c *gin.Context) error {
	return problem.New(http.StatusMethodNotAllowed, "method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path)
}

const requestIDKey = "request_id"

// requestLog tags each request with an id and logs it once done.
func (s *server) requestLog(c *gin.Context) {
	start := time.Now()
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Set(requestIDKey, id)
	c.Header("X-Request-Id", id)
	c.Next()
	level := slog.LevelDebug
	if c.Writer.Status() >= 500 {
		level = slog.LevelWarn
	}
	s.Log.Log(c.Request.Context(), level, "http", "request_id", id, "method", c.Request.Method,
		"path", c.Request.URL.Path, "status", c.Writer.Status(), "duration", time.Since(start))
}

// recoverPanic keeps one bad request from taking the server down, and
// keeps the stack out of the answer.
func (s *server) recoverPanic(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.fail(c, problem.Internal(fmt.Errorf("panic: %v", r)))
		}
	}()
	c.Next()
}

// decodeJSON reads a JSON body of at most 1 MiB into v.
func decodeJSON(c *gin.Context, v any) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20)
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &typ):
			return problem.Invalid(map[string]string{typ.Field: fmt.Sprintf("must be of type %s", typ.Type)})
		case errors.As(err, &syn):
			return problem.BadRequest("malformed JSON at byte %d: %v", syn.Offset, err)
		case errors.As(err, &tooBig):
			return problem.New(http.StatusRequestEntityTooLarge, "the JSON body is larger than 1 MiB")
		case errors.Is(err, netlimit.ErrTooSlow):
			return err
		default:
			return problem.BadRequest("malformed JSON body: %v", err)
		}
	}
	return nil
}
