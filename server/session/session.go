// Package session says who is asking: a bearer token of the PeerTube
// API, or the session cookie of the pages (with its anti-forgery token),
// and, for password-protected videos, the password they present. The
// JSON API, the pages and media delivery all learn the viewer here.
package session

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/auth"
	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/videos"
)

// Sessions resolves the viewer of requests.
type Sessions struct {
	accounts *accounts.Service
	// publicURL is where browsers reach the site: cookies are Secure
	// under https, and forms may come from its origin.
	publicURL string
	// attempts bounds how often a client may present credentials.
	attempts *auth.Limiter
}

// New returns the sessions of accounts' users on the site at publicURL;
// attempts bounds how often a client may present credentials.
func New(a *accounts.Service, publicURL string, attempts *auth.Limiter) *Sessions {
	return &Sessions{accounts: a, publicURL: publicURL, attempts: attempts}
}

const (
	userKey  = "session.user"
	tokenKey = "session.token"
)

func setViewer(c *gin.Context, t *database.Token) {
	c.Set(tokenKey, t)
	c.Set(userKey, t.User)
}

// Viewer is the authenticated user, or nil.
func Viewer(c *gin.Context) *database.User {
	u, _ := c.Get(userKey)
	user, _ := u.(*database.User)
	return user
}

// Token is the access token the viewer authenticated with, or nil.
func Token(c *gin.Context) *database.Token {
	t, _ := c.Get(tokenKey)
	tok, _ := t.(*database.Token)
	return tok
}

// Authenticate resolves a bearer token when one is sent, else the
// session cookie with its CSRF header. A token that is sent but invalid
// is an error even on public routes, so a client learns its session
// ended instead of silently seeing less.
func (s *Sessions) Authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	if h == "" {
		s.cookieAuth(c)
		return
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || tok == "" {
		httpserve.Fail(c, problem.Unauthorized("the Authorization header must be \"Bearer <access token>\"").WithCode(problem.CodeInvalidToken))
		return
	}
	t, err := s.accounts.Authenticate(c.Request.Context(), strings.TrimSpace(tok))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	setViewer(c, t)
}

// RequireUser refuses anonymous requests.
func RequireUser(c *gin.Context) {
	if Viewer(c) == nil {
		httpserve.Fail(c, problem.Unauthorized("authentication is required: send a bearer access token"))
	}
}

// RequireRole lets through users with at least the given role.
func RequireRole(role database.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if u := Viewer(c); u == nil || u.Role < role {
			httpserve.Fail(c, problem.New(http.StatusForbidden, "this requires the %s role", RoleLabels[role]))
		}
	}
}

// RoleLabels are PeerTube's names of the roles.
var RoleLabels = map[database.Role]string{
	database.RoleAdmin: "Administrator", database.RoleModerator: "Moderator", database.RoleUser: "User",
}

// videoPasswordHeader is PeerTube's header for the password of a
// password-protected video.
const videoPasswordHeader = "x-peertube-video-password"

// VideoPassword hands the password a viewer sent, with their address
// for the guess limits, to whatever loads the video for them.
func VideoPassword(c *gin.Context) {
	if pw := c.GetHeader(videoPasswordHeader); pw != "" {
		c.Request = c.Request.WithContext(videos.WithVideoPassword(c.Request.Context(), pw, httpserve.ClientKey(c)))
	}
}
