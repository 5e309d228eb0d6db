package httpserve

import (
	"errors"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/netlimit"
	"cuttle.video/server/problem"
)

// maxSmallForm bounds the body of the forms anyone may post (logging in,
// signing up, choosing a language, asking for a token): a few short
// fields. Reading them whole before any check is then harmless.
const maxSmallForm = 8 << 10

// SmallForm parses the request's small urlencoded form before the
// handler runs, refusing anything else unread: multipart bodies would
// otherwise be spooled to temporary files, of any size, before the
// handler could rate limit the request. fail answers a refusal the
// route's way (a problem document, or a page).
func SmallForm(fail func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := parseSmallForm(c.Writer, c.Request); err != nil {
			fail(c, err)
			c.Abort()
			return
		}
		c.Next()
	}
}

func parseSmallForm(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > maxSmallForm {
		return problem.New(http.StatusRequestEntityTooLarge, "the form is larger than %d bytes", maxSmallForm)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/x-www-form-urlencoded" {
			return problem.New(http.StatusUnsupportedMediaType, "send the form as application/x-www-form-urlencoded, not %q", mt)
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSmallForm)
	if err := r.ParseForm(); err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return problem.New(http.StatusRequestEntityTooLarge, "the form is larger than %d bytes", maxSmallForm)
		}
		if errors.Is(err, netlimit.ErrTooSlow) {
			return err
		}
		return problem.BadRequest("malformed form: %v", err)
	}
	return nil
}
