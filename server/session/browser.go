package session

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
	"cuttle.video/server/httpserve"
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
	csrfHeader    = "X-CSRF-Token"
	// CSRFField is the name of the anti-forgery field of the pages' forms.
	CSRFField = "csrf"
	// browserKey holds the request's resolved *Browser.
	browserKey = "session.browser"
)

// CodeInvalidCSRF is the problem code of a request whose anti-forgery
// token does not match its session.
const CodeInvalidCSRF = "invalid_csrf_token"

// Browser is the session of a page request; Token is nil for an
// anonymous visitor, and CSRF is what its forms must carry.
type Browser struct {
	Token *database.Token
	CSRF  string
}

// csrfToken derives a session's anti-forgery token from its access
// token, so nothing more is stored: whoever can read the token already
// holds the session.
func csrfToken(access string) string {
	sum := sha256.Sum256([]byte("cuttle csrf\x00" + access))
	return hex.EncodeToString(sum[:16])
}

// SetCookie sets a cookie of the site: script-proof, same-site, and
// Secure when the site is served over https.
func (s *Sessions) SetCookie(c *gin.Context, name, value string, maxAge time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: strings.HasPrefix(s.publicURL, "https://"), SameSite: http.SameSiteLaxMode,
	})
}

// setSession stores a pair. Both cookies live as long as the refresh
// token: an expired access token still identifies the session whose CSRF
// token an open page holds, until it is refreshed.
func (s *Sessions) setSession(c *gin.Context, pair *accounts.TokenPair) {
	life := time.Duration(pair.RefreshIn) * time.Second
	s.SetCookie(c, sessionCookie, pair.AccessToken, life)
	s.SetCookie(c, refreshCookie, pair.RefreshToken, life)
}

// End forgets the browser's session; the caller revokes it first.
func (s *Sessions) End(c *gin.Context) {
	s.SetCookie(c, sessionCookie, "", -time.Second)
	s.SetCookie(c, refreshCookie, "", -time.Second)
}

// Login opens a browser session with the local OAuth client, as a
// PeerTube client's password grant would.
func (s *Sessions) Login(c *gin.Context, username, password string) error {
	ctx := c.Request.Context()
	cl, err := s.accounts.Client(ctx)
	if err != nil {
		return err
	}
	pair, err := s.accounts.Login(ctx, cl.ClientID, cl.ClientSecret, username, password, httpserve.ClientKey(c))
	if err != nil {
		return err
	}
	s.setSession(c, pair)
	return nil
}

// refreshSession trades the refresh cookie for a new pair. It returns
// the new session and its access token, or nil when there is none.
func (s *Sessions) refreshSession(c *gin.Context) (*database.Token, string) {
	refresh, _ := c.Cookie(refreshCookie)
	if refresh == "" {
		return nil, ""
	}
	ctx := c.Request.Context()
	cl, err := s.accounts.Client(ctx)
	if err != nil {
		httpserve.Logger(c).ErrorContext(ctx, "refresh browser session", "err", err)
		return nil, ""
	}
	pair, err := s.accounts.Refresh(ctx, cl.ClientID, cl.ClientSecret, refresh)
	if err != nil {
		if problem.From(err).Status >= 500 {
			httpserve.Logger(c).ErrorContext(ctx, "refresh browser session", "err", err)
			return nil, ""
		}
		// Expired, revoked, or the user was blocked: the cookies are dead.
		s.End(c)
		return nil, ""
	}
	t, err := s.accounts.Authenticate(ctx, pair.AccessToken)
	if err != nil {
		return nil, ""
	}
	s.setSession(c, pair)
	return t, pair.AccessToken
}

// Page resolves the session of a page request once, refreshing it when
// its access token has expired, and makes its user the viewer.
func (s *Sessions) Page(c *gin.Context) *Browser {
	if v, ok := c.Get(browserKey); ok {
		return v.(*Browser)
	}
	sess := &Browser{}
	c.Set(browserKey, sess)
	ctx := c.Request.Context()
	if access, _ := c.Cookie(sessionCookie); access != "" {
		t, err := s.accounts.Authenticate(ctx, access)
		switch {
		case err == nil:
			sess.Token, sess.CSRF = t, csrfToken(access)
		case problem.From(err).Status >= 500:
			// The database is unwell: show the page anonymously rather
			// than throw the session away.
			httpserve.Logger(c).ErrorContext(ctx, "resolve browser session", "err", err)
			return sess
		}
	}
	if sess.Token == nil {
		if t, access := s.refreshSession(c); t != nil {
			sess.Token, sess.CSRF = t, csrfToken(access)
		}
	}
	if sess.Token != nil {
		setViewer(c, sess.Token)
	}
	return sess
}

// cookieAuth lets the pages' scripts call the API with the session
// cookie, provided they send the session's CSRF header. A cookie without
// the header authenticates nothing, so a forged cross-site request runs
// as an anonymous one.
func (s *Sessions) cookieAuth(c *gin.Context) {
	access, _ := c.Cookie(sessionCookie)
	sent := c.GetHeader(csrfHeader)
	if sent == "" || access == "" {
		return
	}
	if subtle.ConstantTimeCompare([]byte(sent), []byte(csrfToken(access))) != 1 {
		httpserve.Fail(c, problem.Forbidden("the %s header does not match the session", csrfHeader).WithCode(CodeInvalidCSRF))
		return
	}
	t, err := s.accounts.Authenticate(c.Request.Context(), access)
	if err == nil {
		setViewer(c, t)
		return
	}
	if problem.From(err).Status != http.StatusUnauthorized {
		httpserve.Fail(c, err)
		return
	}
	// The page outlived its access token: refresh, and hand the script
	// its new CSRF token in the answer's header.
	t, newAccess := s.refreshSession(c)
	if t == nil {
		httpserve.Fail(c, problem.Unauthorized("the session has ended: log in again").WithCode(problem.CodeInvalidToken))
		return
	}
	c.Header(csrfHeader, csrfToken(newAccess))
	setViewer(c, t)
}

// SameOrigin tells whether a form was posted from a page of this site:
// browsers send Origin with every POST (or at least Referer); requests
// with neither come from other programs, which cannot be tricked into
// carrying a visitor's cookies.
func (s *Sessions) SameOrigin(c *gin.Context) bool {
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
	pub, err := url.Parse(s.publicURL)
	return err == nil && u.Scheme == pub.Scheme && u.Host == pub.Host
}

// CheckForm refuses a form posted from another site, or, with a
// session, one without the session's CSRF field.
func (s *Sessions) CheckForm(c *gin.Context) bool {
	if !s.SameOrigin(c) {
		return false
	}
	sess := s.Page(c)
	if sess.Token == nil {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(c.PostForm(CSRFField)), []byte(sess.CSRF)) == 1
}
