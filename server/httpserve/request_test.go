package httpserve_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
)

// A service that only passes the request's context along logs lines
// that name the request, by the id its client was given.
func TestServiceLogLinesNameTheRequest(t *testing.T) {
	var buf bytes.Buffer
	log := httpserve.TagRequests(slog.New(slog.NewTextHandler(&buf, nil)))
	r := httpserve.NewEngine(log, httpserve.Clients{})
	// The handler stands for a service built with the tagged logger: it
	// only passes the request's context along.
	r.GET("/work", func(c *gin.Context) {
		log.InfoContext(c.Request.Context(), "service did its work")
		c.Status(http.StatusNoContent)
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/work", nil))
	id := w.Header().Get("X-Request-Id")
	if id == "" {
		t.Fatal("the answer has no X-Request-Id")
	}
	var line string
	for l := range strings.Lines(buf.String()) {
		if strings.Contains(l, "service did its work") {
			line = l
		}
	}
	if !strings.Contains(line, "request_id="+id) {
		t.Fatalf("the service's line does not name request %s: %q", id, line)
	}
	// Tagging twice does not name the request twice.
	if httpserve.TagRequests(log) != log {
		t.Error("a tagged logger was tagged again")
	}
}

// A panicking handler answers 500 as problem+json, and the server goes
// on serving.
func TestPanicAnswersProblem(t *testing.T) {
	r := httpserve.NewEngine(slog.New(slog.DiscardHandler), httpserve.Clients{})
	r.GET("/boom", func(*gin.Context) { panic("boom") })
	r.GET("/fine", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if w.Code != http.StatusInternalServerError || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") ||
		strings.Contains(w.Body.String(), "boom") {
		t.Fatalf("panic answered %d %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	w = httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/fine", nil))
	if w.Code != http.StatusNoContent {
		t.Fatalf("after a panic: %d", w.Code)
	}
}
