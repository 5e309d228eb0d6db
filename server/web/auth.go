package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/problem"
)

type loginPage struct {
	Username, Next, Error string
}

func (s *pages) loginPage(c *gin.Context) {
	site := s.site(c, "login")
	next := localPath(c.Query("next"))
	if site.User != nil {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	s.renderPage(c, http.StatusOK, "login.html", Page{Site: site, Title: T(site.Lang, "login.title"),
		Data: loginPage{Next: next}})
}

// loginSubmit checks the login form and opens a session; the form comes
// back with a message otherwise.
func (s *pages) loginSubmit(c *gin.Context) {
	site := s.site(c, "login")
	data := loginPage{Username: c.PostForm("username"), Next: localPath(c.PostForm("next"))}
	previous := s.Sessions.Page(c).Token
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
	data.Error = T(site.Lang, key)
	s.renderPage(c, status, "login.html", Page{Site: site, Title: T(site.Lang, "login.title"), Data: data})
}

// tryLogin applies the same rate limit as the token endpoint, and
// answers a status with the message key of a failure.
func (s *pages) tryLogin(c *gin.Context, username, password string) (int, string) {
	if !s.Sessions.SameOrigin(c) {
		return http.StatusForbidden, "error.crossSite"
	}
	err := s.Sessions.AllowAttempt(c)
	if err == nil {
		err = s.Sessions.Login(c, username, password)
	}
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
func (s *pages) logoutSubmit(c *gin.Context) {
	site := s.site(c, "")
	if !s.Sessions.CheckForm(c) {
		s.pageError(c, site, problem.Forbidden("cross-site form"))
		return
	}
	if sess := s.Sessions.Page(c); sess.Token != nil {
		if err := s.Accounts.Revoke(c.Request.Context(), sess.Token.ID); err != nil {
			s.pageError(c, site, err)
			return
		}
	}
	s.Sessions.End(c)
	c.Redirect(http.StatusSeeOther, "/")
}

type signupPage struct {
	Username, Email, Error string
	Errors                 map[string]string
}

func (s *pages) signupPage(c *gin.Context) {
	site := s.site(c, "signup")
	if !site.SignupEnabled {
		s.signupClosed(c, site)
		return
	}
	s.renderPage(c, http.StatusOK, "signup.html", Page{Site: site, Title: T(site.Lang, "signup.title"), Data: signupPage{}})
}

func (s *pages) signupClosed(c *gin.Context, site Site) {
	s.renderPage(c, http.StatusForbidden, "message.html", Page{Site: site, Title: T(site.Lang, "signup.title"),
		Data: messagePage{Message: T(site.Lang, "signup.closed"), Link: "/login", LinkText: T(site.Lang, "nav.login")}})
}

// signupSubmit creates the account and logs its owner in.
func (s *pages) signupSubmit(c *gin.Context) {
	site := s.site(c, "signup")
	data := signupPage{Username: c.PostForm("username"), Email: c.PostForm("email")}
	err := s.Sessions.Register(c, accounts.Registration{Username: data.Username, Email: data.Email, Password: c.PostForm("password")})
	if errors.Is(err, accounts.ErrSignupClosed) {
		s.signupClosed(c, site)
		return
	}
	p := problem.From(err)
	status := p.Status
	switch {
	case err == nil:
		var key string
		if status, key = s.tryLogin(c, data.Username, c.PostForm("password")); status == http.StatusOK {
			c.Redirect(http.StatusSeeOther, "/my/videos")
			return
		}
		data.Error = T(site.Lang, key)
	case p.InvalidParams != nil:
		data.Errors = p.InvalidParams
	case status == http.StatusConflict:
		data.Error = T(site.Lang, "signup.taken")
	case status < 500:
		data.Error = p.Detail
	default:
		data.Error = T(site.Lang, "error.internal")
	}
	s.renderPage(c, status, "signup.html", Page{Site: site, Title: T(site.Lang, "signup.title"), Data: data})
}

// languageSubmit remembers the chosen language for a year and goes back
// to the page the switch was on.
func (s *pages) languageSubmit(c *gin.Context) {
	lang := c.PostForm("lang")
	known := false
	for _, l := range Languages() {
		known = known || l == lang
	}
	if !known || !s.Sessions.SameOrigin(c) {
		s.pageError(c, s.site(c, ""), problem.BadRequest("unknown language"))
		return
	}
	s.Sessions.SetCookie(c, langCookie, lang, 365*24*time.Hour)
	c.Redirect(http.StatusSeeOther, localPath(c.PostForm("next")))
}

// localPath keeps a redirect target on this site. It reads the target
// as a browser would: browsers drop tabs and newlines anywhere in a URL
// and trim spaces and control characters around it (WHATWG URL), and
// take a backslash for a slash, so "/\t/evil" and "/\\evil" both mean
// "//evil". What is left must have no scheme and no host, and the answer
// is rebuilt from its path and query only.
func localPath(p string) string {
	p = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(p)
	p = strings.TrimFunc(p, func(r rune) bool { return r <= ' ' })
	if strings.Contains(p, "\\") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}).String()
}
