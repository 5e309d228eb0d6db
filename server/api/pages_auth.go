package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/problem"
	"cuttle.video/server/web"
)

type loginPage struct {
	Username, Next, Error string
}

func (s *server) loginPage(c *gin.Context) {
	site := s.site(c, "login")
	next := localPath(c.Query("next"))
	if site.User != nil {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	s.renderPage(c, http.StatusOK, "login.html", web.Page{Site: site, Title: web.T(site.Lang, "login.title"),
		Data: loginPage{Next: next}})
}

// loginSubmit checks the login form and opens a session; the form comes
// back with a message otherwise.
func (s *server) loginSubmit(c *gin.Context) {
	site := s.site(c, "login")
	data := loginPage{Username: c.PostForm("username"), Next: localPath(c.PostForm("next"))}
	previous := s.pageSession(c).token
	status, key := s.tryLogin(c, data.Username, c.PostForm("password"))
	if status == http.StatusOK {
		// Logging in again, perhaps as someone else, ends the session
		// the cookies held.
		if previous != nil {
			if err := s.Accounts.Revoke(c.Request.Context(), previous.ID); err != nil {
				s.Log.WarnContext(c.Request.Context(), "end the previous session", "err", err)
			}
		}
		c.Redirect(http.StatusSeeOther, data.Next)
		return
	}
	data.Error = web.T(site.Lang, key)
	s.renderPage(c, status, "login.html", web.Page{Site: site, Title: web.T(site.Lang, "login.title"), Data: data})
}

// tryLogin applies the same rate limit as the token endpoint, and
// answers a status with the message key of a failure.
func (s *server) tryLogin(c *gin.Context, username, password string) (int, string) {
	if !s.sameOrigin(c) {
		return http.StatusForbidden, "error.crossSite"
	}
	if ok, retry := s.LoginLimiter.Allow(clientKey(c)); !ok {
		c.Header("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		return http.StatusTooManyRequests, "login.tooMany"
	}
	err := s.loginSession(c, username, password)
	if err == nil {
		return http.StatusOK, ""
	}
	p := problem.From(err)
	switch {
	case p.Status == http.StatusTooManyRequests:
		c.Header("Retry-After", p.Header.Get("Retry-After"))
		return http.StatusTooManyRequests, "login.tooMany"
	case errors.Is(err, accounts.ErrBlocked):
		return http.StatusForbidden, "login.blocked"
	case p.Code == problem.CodeInvalidGrant:
		return http.StatusBadRequest, "login.invalid"
	}
	s.Log.ErrorContext(c.Request.Context(), "login", "err", p.Error())
	return http.StatusInternalServerError, "error.internal"
}

// logoutSubmit ends the session on the server, not just in the browser.
func (s *server) logoutSubmit(c *gin.Context) {
	site := s.site(c, "")
	if !s.checkForm(c) {
		s.pageError(c, site, problem.Forbidden("cross-site form"))
		return
	}
	if sess := s.pageSession(c); sess.token != nil {
		if err := s.Accounts.Revoke(c.Request.Context(), sess.token.ID); err != nil {
			s.pageError(c, site, err)
			return
		}
	}
	s.clearSession(c)
	c.Redirect(http.StatusSeeOther, "/")
}

type signupPage struct {
	Username, Email, Error string
	Errors                 map[string]string
}

func (s *server) signupPage(c *gin.Context) {
	site := s.site(c, "signup")
	if !site.SignupEnabled {
		s.signupClosed(c, site)
		return
	}
	s.renderPage(c, http.StatusOK, "signup.html", web.Page{Site: site, Title: web.T(site.Lang, "signup.title"), Data: signupPage{}})
}

func (s *server) signupClosed(c *gin.Context, site web.Site) {
	s.renderPage(c, http.StatusForbidden, "message.html", web.Page{Site: site, Title: web.T(site.Lang, "signup.title"),
		Data: messagePage{Message: web.T(site.Lang, "signup.closed"), Link: "/login", LinkText: web.T(site.Lang, "nav.login")}})
}

// signupSubmit creates the account and logs its owner in.
func (s *server) signupSubmit(c *gin.Context) {
	site := s.site(c, "signup")
	data := signupPage{Username: c.PostForm("username"), Email: c.PostForm("email")}
	status, err := s.registerUser(c, registration{Username: data.Username, Email: data.Email, Password: c.PostForm("password")})
	if errors.Is(err, accounts.ErrSignupClosed) {
		s.signupClosed(c, site)
		return
	}
	if err == nil {
		if status, key := s.tryLogin(c, data.Username, c.PostForm("password")); status != http.StatusOK {
			data.Error = web.T(site.Lang, key)
		} else {
			c.Redirect(http.StatusSeeOther, "/my/videos")
			return
		}
	} else if p := problem.From(err); p.InvalidParams != nil {
		data.Errors = p.InvalidParams
	} else if status == http.StatusConflict {
		data.Error = web.T(site.Lang, "signup.taken")
	} else {
		data.Error = web.T(site.Lang, "error.internal")
		if status < 500 {
			data.Error = p.Detail
		}
	}
	s.renderPage(c, status, "signup.html", web.Page{Site: site, Title: web.T(site.Lang, "signup.title"), Data: data})
}

// registration is what a visitor gives to create an account.
type registration struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	Email       string `json:"email"`
	DisplayName string `json:"displayName"`
	Channel     *struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	} `json:"channel"`
}

// registerUser creates a self-registered user, rate limited like logins
// so the form cannot be used to probe for taken names at full speed. It
// returns the status to answer with.
func (s *server) registerUser(c *gin.Context, r registration) (int, error) {
	if !s.sameOrigin(c) {
		return http.StatusForbidden, problem.Forbidden("cross-site form")
	}
	if ok, retry := s.LoginLimiter.Allow(clientKey(c)); !ok {
		secs := int(retry.Seconds()) + 1
		return http.StatusTooManyRequests, problem.New(http.StatusTooManyRequests, "too many attempts; retry in %d seconds", secs).
			WithHeader("Retry-After", strconv.Itoa(secs))
	}
	in := accounts.Registration{Username: r.Username, Email: r.Email, Password: r.Password, DisplayName: r.DisplayName}
	if r.Channel != nil {
		in.ChannelName, in.ChannelDisplayName = r.Channel.Name, r.Channel.DisplayName
	}
	if _, err := s.Accounts.Register(c.Request.Context(), in); err != nil {
		return problem.From(err).Status, err
	}
	return http.StatusNoContent, nil
}

// register is PeerTube's POST /api/v1/users/register.
func (s *server) register(c *gin.Context) {
	var r registration
	if err := decodeJSON(c, &r); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.registerUser(c, r); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// languageSubmit remembers the chosen language for a year and goes back
// to the page the switch was on.
func (s *server) languageSubmit(c *gin.Context) {
	lang := c.PostForm("lang")
	known := false
	for _, l := range web.Languages() {
		known = known || l == lang
	}
	if !known || !s.sameOrigin(c) {
		s.pageError(c, s.site(c, ""), problem.BadRequest("unknown language"))
		return
	}
	s.setCookie(c, langCookie, lang, 365*24*time.Hour)
	c.Redirect(http.StatusSeeOther, localPath(c.PostForm("next")))
}
