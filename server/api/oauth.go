package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
)

func (s *server) localClient(c *gin.Context) {
	cl, err := s.Accounts.Client(c.Request.Context())
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"client_id": cl.ClientID, "client_secret": cl.ClientSecret})
}

// token is the OAuth2 token endpoint, form-encoded as the spec wants.
func (s *server) token(c *gin.Context) {
	if err := s.Sessions.AllowAttempt(c); err != nil {
		httpserve.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	id, secret := c.PostForm("client_id"), c.PostForm("client_secret")
	var pair *accounts.TokenPair
	var err error
	switch grant := c.PostForm("grant_type"); grant {
	case "password":
		pair, err = s.Accounts.Login(ctx, id, secret, c.PostForm("username"), c.PostForm("password"), httpserve.ClientKey(c))
	case "refresh_token":
		pair, err = s.Accounts.Refresh(ctx, id, secret, c.PostForm("refresh_token"))
	default:
		err = problem.BadRequest("Unsupported grant type %q: use password or refresh_token", grant).
			WithCode(problem.CodeUnsupportedGrantType)
	}
	if err != nil {
		httpserve.Fail(c, err)
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
	t := session.Token(c)
	if err := s.Accounts.Revoke(c.Request.Context(), t.ID); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{})
}
