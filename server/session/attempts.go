package session

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
)

// AllowAttempt applies the per-client limit on presenting credentials
// (logging in, changing a password, registering): past it, the answer
// is a 429 problem saying when to retry.
func (s *Sessions) AllowAttempt(c *gin.Context) error {
	if ok, retry := s.attempts.Allow(httpserve.ClientKey(c)); !ok {
		secs := int(retry.Seconds()) + 1
		return problem.New(http.StatusTooManyRequests, "too many attempts; retry in %d seconds", secs).
			WithHeader("Retry-After", strconv.Itoa(secs))
	}
	return nil
}

// Register creates a visitor's account, from this site's pages or from
// a program, and limited like logins, so that sign-up cannot be used to
// probe for taken names at full speed.
func (s *Sessions) Register(c *gin.Context, r accounts.Registration) error {
	if !s.SameOrigin(c) {
		return problem.Forbidden("cross-site form")
	}
	if err := s.AllowAttempt(c); err != nil {
		return err
	}
	_, err := s.accounts.Register(c.Request.Context(), r)
	return err
}
