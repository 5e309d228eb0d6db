package httpserve

import (
	"log/slog"
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
	// or UploadBodyGrace on the routes that take UploadBody.
	BodyMinRate                int64
	BodyGrace, UploadBodyGrace time.Duration
}

// trust makes gin's ClientIP read the forwarded address from trusted
// proxies only. Without any, the connection's address is the client:
// trusting forwarded headers from anyone would let every client pick
// the address its limits count against.
func (cl Clients) trust(r *gin.Engine, log *slog.Logger) {
	if err := r.SetTrustedProxies(cl.TrustedProxies); err != nil {
		// The configuration was validated; refuse all rather than some.
		log.Error("trusted proxies", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.RemoteIPHeaders = []string{cl.IPHeader}
}

// ClientKey is what every per-client limit counts against.
func ClientKey(c *gin.Context) string { return netlimit.Key(c.ClientIP()) }

// limitBody cuts request bodies that arrive slower than the minimum
// rate, so a client cannot hold a request open by trickling its body.
func (cl Clients) limitBody(c *gin.Context) {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return
	}
	rc := http.NewResponseController(c.Writer)
	b, err := netlimit.NewBody(c.Request.Body, rc.SetReadDeadline, cl.BodyMinRate, cl.BodyGrace)
	if err != nil {
		Logger(c).WarnContext(c.Request.Context(), "request body without a minimum rate", "err", err)
		return
	}
	c.Request.Body = b
}

// UploadBody gives the body of a video upload the longer grace of
// UploadBodyGrace.
func (cl Clients) UploadBody(c *gin.Context) {
	b, ok := c.Request.Body.(*netlimit.Body)
	if !ok {
		return
	}
	if err := b.SetGrace(cl.UploadBodyGrace); err != nil {
		Logger(c).WarnContext(c.Request.Context(), "upload body grace", "err", err)
	}
}
