package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// Browser sessions. The pages keep the access token of an ordinary
// OAuth session in an HttpOnly cookie, and its refresh token in a
// second one; the server refreshes an expired session by itself.
//
// The JSON API accepts the session cookie only with the X-CSRF-Token
// header, whose value the pages embed: another site can make a browser
// send the cookie, but cannot read a page to learn the token. Bearer
// tokens are unaffected. Forms posted to the pages check the Origin
// header, and, with a session, a csrf field.

const (
	sessionCookie = "cuttle_session"
	refreshCookie = "cuttle_refresh"
	langCookie    = "cuttle_lang"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
	// sessionKey holds the request's resolved *browserSession.
	sessionKey = "browser_session"
)

// CodeInvalidCSRF is the problem code of a request whose anti-forgery
// token does not match its session.
const CodeInvalidCSRF = "invalid_csrf_token"

// browserSession is the session of a page request; token is nil for an
// anonymous visitor.
type browserSession struct {
	token *database.Token
	csrf  string
}

// csrfToken derives a session's anti-forgery token from its access
// token, so nothing more is stored: whoever can read the token already
// holds the session.
func csrfToken(access string) string {
	sum := sha256.Sum256([]byte("cuttle csrf\x00" + access))
	return hex.EncodeToString(sum[:16])
}

func (s *server) setCookie(c *gin.Context, name, value string, maxAge time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: strings.HasPrefix(s.PublicURL, "https://"), SameSite: http.SameSiteLaxMode,
	})
}

// setSession stores a pair. Both cookies live as long as the refresh
// token: an expired access token still identifies the session whose CSRF
// token an open page holds, until it is refreshed.
func (s *server) setSession(c *gin.Context, pair *accounts.TokenPair) {
	life := time.Duration(pair.RefreshIn) * time.Second
	s.setCookie(c, sessionCookie, pair.AccessToken, life)
	s.setCookie(c, refreshCookie, pair.RefreshToken, life)
}

func (s *server) clearSession(c *gin.Context) {
	s.setCookie(c, sessionCookie, "", -time.Second)
	s.setCookie(c, refreshCookie, "", -time.Second)
}

// loginSession opens a browser session with the local OAuth client, as
// a PeerTube client's password grant would.
func (s *server) loginSession(c *gin.Context, username, password string) error {
	ctx := c.Request.Context()
	cl, err := s.Accounts.Client(ctx)
	if err != nil {
		return err
	}
	pair, err := s.Accounts.Login(ctx, cl.ClientID, cl.ClientSecret, username, password, clientKey(c))
	if err != nil {
		return err
	}
	s.setSession(c, pair)
	return nil
}

// refreshSession trades the refresh cookie for a new pair. It returns
// the new session and its access token, or nil when there is none.
func (s *server) refreshSession(c *gin.Context) (*database.Token, string) {
	refresh, _ := c.Cookie(refreshCookie)
	if refresh == "" {
		return nil, ""
	}
	ctx := c.Request.Context()
	cl, err := s.Accounts.Client(ctx)
	if err != nil {
		s.Log.ErrorContext(ctx, "refresh browser session", "err", err)
		return nil, ""
	}
	pair, err := s.Accounts.Refresh(ctx, cl.ClientID, cl.ClientSecret, refresh)
	if err != nil {
		if problem.From(err).Status >= 500 {
			s.Log.ErrorContext(ctx, "refresh browser session", "err", err)
			return nil, ""
		}
		// Expired, revoked, or the user was blocked: the cookies are dead.
		s.clearSession(c)
		return nil, ""
	}
	t, err := s.Accounts.Authenticate(ctx, pair.AccessToken)
	if err != nil {
		return nil, ""
	}
	s.setSession(c, pair)
	return t, pair.AccessToken
}

// pageSession resolves the session of a page request once, refreshing
// it when its access token has expired, and makes its user the viewer.
func (s *server) pageSession(c *gin.Context) *browserSession {
	if v, ok := c.Get(sessionKey); ok {
		return v.(*browserSession)
	}
	sess := &browserSession{}
	c.Set(sessionKey, sess)
	ctx := c.Request.Context()
	if access, _ := c.Cookie(sessionCookie); access != "" {
		t, err := s.Accounts.Authenticate(ctx, access)
		switch {
		case err == nil:
			sess.token, sess.csrf = t, csrfToken(access)
		case problem.From(err).Status >= 500:
			// The database is unwell: show the page anonymously rather
			// than throw the session away.
			s.Log.ErrorContext(ctx, "resolve browser session", "err", err)
			return sess
		}
	}
	if sess.token == nil {
		if t, access := s.refreshSession(c); t != nil {
			sess.token, sess.csrf = t, csrfToken(access)
		}
	}
	if sess.token != nil {
		c.Set(tokenKey, sess.token)
		c.Set(userKey, sess.token.User)
	}
	return sess
}

// cookieAuth lets the pages' scripts call the API with the session
// cookie, provided they send the session's CSRF header. A cookie without
// the header authenticates nothing, so a forged cross-site request runs
// as an anonymous one.
func (s *server) cookieAuth(c *gin.Context) {
	access, _ := c.Cookie(sessionCookie)
	sent := c.GetHeader(csrfHeader)
	if sent == "" || access == "" {
		return
	}
	if subtle.ConstantTimeCompare([]byte(sent), []byte(csrfToken(access))) != 1 {
		s.fail(c, problem.Forbidden("the %s header does not match the session", csrfHeader).WithCode(CodeInvalidCSRF))
		return
	}
	t, err := s.Accounts.Authenticate(c.Request.Context(), access)
	if err == nil {
		c.Set(tokenKey, t)
		c.Set(userKey, t.User)
		return
	}
	if problem.From(err).Status != http.StatusUnauthorized {
		s.fail(c, err)
		return
	}
	// The page outlived its access token: refresh, and hand the script
	// its new CSRF token in the answer's header.
	t, newAccess := s.refreshSession(c)
	if t == nil {
		s.fail(c, problem.Unauthorized("the session has ended: log in again").WithCode(problem.CodeInvalidToken))
		return
	}
	c.Header(csrfHeader, csrfToken(newAccess))
	c.Set(tokenKey, t)
	c.Set(userKey, t.User)
}

// sameOrigin tells whether a form was posted from a page of this site:
// browsers send Origin with every POST (or at least Referer); requests
// with neither come from other programs, which cannot be tricked into
// carrying a visitor's cookies.
func (s *server) sameOrigin(c *gin.Context) bool {
	from := c.GetHeader("Origin")
	if from == "" {
		from = c.GetHeader("Referer")
		if from == "" {
			return true
		}
	}
	u, err := url.Parse(from)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Host == c.Request.Host {
		return true
	}
	pub, err := url.Parse(s.PublicURL)
	return err == nil && u.Scheme == pub.Scheme && u.Host == pub.Host
}

// checkForm refuses a form posted from another site, or, with a
// session, one without the session's CSRF field.
func (s *server) checkForm(c *gin.Context) bool {
	if !s.sameOrigin(c) {
		return false
	}
	sess := s.pageSession(c)
	if sess.token == nil {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(c.PostForm(csrfField)), []byte(sess.csrf)) == 1
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
