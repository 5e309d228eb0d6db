package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/netlimit"
)

// Clients says how the server tells its clients apart, and how slowly
// they may send request bodies.
type Clients struct {
	// TrustedProxies may name the client in IPHeader; nobody else can.
	TrustedProxies []string
	IPHeader       string
	// BodyMinRate (bytes a second) applies to bodies after BodyGrace,
	// or UploadBodyGrace on the video upload routes.
	BodyMinRate                int64
	BodyGrace, UploadBodyGrace time.Duration
}

// trustProxies makes gin's ClientIP read the forwarded address from
// trusted proxies only. Without any, the connection's address is the
// client: trusting forwarded headers from anyone would let every client
// pick the address its limits count against.
func (s *server) trustProxies(r *gin.Engine) {
	if err := r.SetTrustedProxies(s.Clients.TrustedProxies); err != nil {
		// The configuration was validated; refuse all rather than some.
		s.Log.Error("trusted proxies", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.RemoteIPHeaders = []string{s.Clients.IPHeader}
}

// clientKey is what every per-client limit counts against.
func clientKey(c *gin.Context) string { return netlimit.Key(c.ClientIP()) }

// limitBody cuts request bodies that arrive slower than the minimum
// rate, so a client cannot hold a request open by trickling its body.
func (s *server) limitBody(c *gin.Context) {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return
	}
	rc := http.NewResponseController(c.Writer)
	b, err := netlimit.NewBody(c.Request.Body, rc.SetReadDeadline, s.Clients.BodyMinRate, s.Clients.BodyGrace)
	if err != nil {
		s.Log.WarnContext(c.Request.Context(), "request body without a minimum rate", "err", err)
		return
	}
	c.Request.Body = b
}

// uploadBody gives video uploads the longer grace of
// Clients.UploadBodyGrace.
func (s *server) uploadBody(c *gin.Context) {
	if b, ok := c.Request.Body.(*netlimit.Body); ok {
		if err := b.SetGrace(s.Clients.UploadBodyGrace); err != nil {
			s.Log.WarnContext(c.Request.Context(), "upload body grace", "err", err)
		}
	}
}
