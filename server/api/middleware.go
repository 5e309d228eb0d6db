package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

const (
	userKey  = "user"
	tokenKey = "token"
)

// authenticate resolves a bearer token when one is sent. A token that is
// sent but invalid is an error even on public routes, so a client learns
// its session ended instead of silently seeing less.
func (s *server) authenticate(c *gin.Context) {
	s.withVideoPassword(c)
	h := c.GetHeader("Authorization")
	if h == "" {
		s.cookieAuth(c)
		return
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || tok == "" {
		s.fail(c, problem.Unauthorized("the Authorization header must be \"Bearer <access token>\"").WithCode(problem.CodeInvalidToken))
		return
	}
	t, err := s.Accounts.Authenticate(c.Request.Context(), strings.TrimSpace(tok))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(tokenKey, t)
	c.Set(userKey, t.User)
}

// viewer is the authenticated user, or nil.
func viewer(c *gin.Context) *database.User {
	u, _ := c.Get(userKey)
	user, _ := u.(*database.User)
	return user
}

func (s *server) requireUser(c *gin.Context) {
	if viewer(c) == nil {
		s.fail(c, problem.Unauthorized("authentication is required: send a bearer access token"))
	}
}

// requireRole lets through users with at least the given role.
func (s *server) requireRole(role database.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if u := viewer(c); u == nil || u.Role < role {
			s.fail(c, problem.New(http.StatusForbidden, "this requires the %s role", roleLabels[role.ID()]))
		}
	}
}
