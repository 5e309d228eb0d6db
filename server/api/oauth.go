package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

func (s *server) localClient(c *gin.Context) {
	cl, err := s.Accounts.Client(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"client_id": cl.ClientID, "client_secret": cl.ClientSecret})
}

// token is the OAuth2 token endpoint, form-encoded as the spec wants.
func (s *server) token(c *gin.Context) {
	if !s.allowLogin(c) {
		return
	}
	ctx := c.Request.Context()
	id, secret := c.PostForm("client_id"), c.PostForm("client_secret")
	var pair *accounts.TokenPair
	var err error
	switch grant := c.PostForm("grant_type"); grant {
	case "password":
		pair, err = s.Accounts.Login(ctx, id, secret, c.PostForm("username"), c.PostForm("password"), clientKey(c))
	case "refresh_token":
		pair, err = s.Accounts.Refresh(ctx, id, secret, c.PostForm("refresh_token"))
	default:
		err = problem.BadRequest("Unsupported grant type %q: use password or refresh_token", grant).
			WithCode(problem.CodeUnsupportedGrantType)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{
		"token_type":               "Bearer",
		"access_token":             pair.AccessToken,
		"refresh_token":            pair.RefreshToken,
		"expires_in":               pair.ExpiresIn,
		"refresh_token_expires_in": pair.RefreshIn,
	})
}

func (s *server) revokeToken(c *gin.Context) {
	t := c.MustGet(tokenKey).(*database.Token)
	if err := s.Accounts.Revoke(c.Request.Context(), t.ID); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{})
}

// allowLogin applies the per-address limit on password checks (logins and
// password changes); when it holds, it answers 429 and returns false.
func (s *server) allowLogin(c *gin.Context) bool {
	ok, retry := s.LoginLimiter.Allow(clientKey(c))
	if !ok {
		secs := int(retry.Seconds()) + 1
		s.fail(c, problem.New(http.StatusTooManyRequests, "too many login attempts; retry in %d seconds", secs).
			WithHeader("Retry-After", strconv.Itoa(secs)))
	}
	return ok
}
