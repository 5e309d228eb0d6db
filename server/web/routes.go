package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/player/bundle"
	"cuttle.video/server/accounts"
	"cuttle.video/server/captions"
	"cuttle.video/server/chapters"
	"cuttle.video/server/database"
	"cuttle.video/server/federation"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/instance"
	"cuttle.video/server/jobs"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/server/uploads"
	"cuttle.video/server/videos"
)

// Deps is everything the pages need, built by the composition root.
type Deps struct {
	PublicURL string
	Accounts  *accounts.Service
	Sessions  *session.Sessions
	Videos    *videos.Service
	Uploads   *uploads.Service
	Jobs      *jobs.Service
	Instance  *instance.Service
	Chapters  *chapters.Service
	Captions  *captions.Service
	// Federation holds the user's subscriptions to channels.
	Federation *federation.Service
	// URLs addresses the media the pages play and show.
	URLs *media.URLs
	// P2P says peer-to-peer delivery is on: players then get a tracker.
	P2P bool
	Log *slog.Logger
	// UnknownAPI answers the paths under /api/ that no route serves (the
	// API knows which are PeerTube's); nil answers them "no such route".
	UnknownAPI gin.HandlerFunc
	// VideoDocument answers ActivityPub clients at a video's page URL
	// with the video's object (app wires activitypub's).
	VideoDocument gin.HandlerFunc
}

// pages holds the handlers of the web interface: pages rendered here
// with html/template, whose few scripts call the JSON API with the
// session cookie.
type pages struct{ Deps }

// Mount registers the pages on r, and answers paths nothing serves: a
// page for browsers, problem+json for the API and other programs.
func Mount(r *gin.Engine, d Deps) {
	s := &pages{Deps: d}
	r.NoRoute(s.noRoute)
	r.GET("/", s.homePage)
	r.GET("/w/:id", s.watch)
	r.GET("/videos/watch/:id", s.watch)
	r.GET("/videos/embed/:id", s.embedPage)
	r.GET("/videos/browse", s.browsePage)
	r.GET("/search", s.searchPage)
	r.GET("/c/:handle", s.channelPage)
	r.GET("/a/:name", s.accountPage)
	r.GET("/login", s.loginPage)
	r.POST("/login", httpserve.SmallForm(s.formError), s.loginSubmit)
	r.POST("/logout", httpserve.SmallForm(s.formError), s.logoutSubmit)
	r.GET("/signup", s.signupPage)
	r.POST("/signup", httpserve.SmallForm(s.formError), s.signupSubmit)
	r.POST("/language", httpserve.SmallForm(s.formError), s.languageSubmit)
	r.GET("/videos/upload", s.pageUser, s.uploadPage)
	r.GET("/my/videos", s.pageUser, s.myVideosPage)
	r.GET("/my/videos/:id/edit", s.pageUser, s.editVideoPage)
	r.GET("/my/subscriptions", s.pageUser, s.subscriptionsPage)
	admin := r.Group("/admin", s.pageUser, s.pageAdmin)
	admin.GET("", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin/users") })
	admin.GET("/users", s.adminUsersPage)
	admin.GET("/users/:id", s.adminUserPage)
	admin.GET("/jobs", s.adminJobsPage)
	admin.GET("/settings", s.adminSettingsPage)
}

// langCookie holds the language a visitor chose.
const langCookie = "cuttle_lang"

// site gathers what every page's header needs; nav names the current
// section.
func (s *pages) site(c *gin.Context, nav string) Site {
	sess := s.Sessions.Page(c)
	ctx := c.Request.Context()
	lang, _ := c.Cookie(langCookie)
	st, err := s.Instance.Get(ctx)
	if err != nil {
		s.Log.ErrorContext(ctx, "instance settings", "err", err)
	}
	out := Site{
		Lang: Negotiate(lang, c.GetHeader("Accept-Language")), Name: st.Name, CSRF: sess.CSRF,
		Path: c.Request.URL.RequestURI(), SignupEnabled: st.SignupEnabled, AssetVersion: bundle.Version(), Nav: nav,
	}
	if sess.Token != nil {
		u := sess.Token.User
		out.User = &User{Name: u.Username, Admin: u.Role == database.RoleAdmin}
		if u.Account != nil {
			out.User.DisplayName = u.Account.DisplayName
		}
	}
	return out
}

// renderPage writes a page; a failure here is a template bug, logged.
func (s *pages) renderPage(c *gin.Context, status int, name string, p Page) {
	// Added to, not set: a page may vary on more (see toActor).
	c.Writer.Header().Add("Vary", "Cookie, Accept-Language")
	if err := Render(c.Writer, status, name, p); err != nil {
		s.Log.ErrorContext(c.Request.Context(), "render page", "page", name, "err", err)
	}
	c.Abort()
}

// messagePage is the data of message.html.
type messagePage struct {
	Message  string
	Link     string
	LinkText string
}

// pageError shows err as a page: a request for a page that needs a login
// goes to the login form, anything else says what went wrong in the
// visitor's language, never the internal cause.
func (s *pages) pageError(c *gin.Context, site Site, err error) {
	p := problem.From(err)
	httpserve.LogRefusal(c, p, "page")
	key := "error.internal"
	switch p.Status {
	case http.StatusUnauthorized:
		if site.User == nil {
			s.toLogin(c)
			return
		}
		key = "error.forbidden"
	case http.StatusForbidden:
		key = "error.forbidden"
	case http.StatusNotFound:
		key = "error.notFound"
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		key = "error.badRequest"
	}
	s.renderPage(c, p.Status, "message.html", Page{Site: site, Title: T(site.Lang, key+".title"),
		Data: messagePage{Message: T(site.Lang, key), Link: "/", LinkText: T(site.Lang, "error.home")}})
}

// formError answers a refused form post with an error page.
func (s *pages) formError(c *gin.Context, err error) { s.pageError(c, s.site(c, ""), err) }

func (s *pages) toLogin(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	c.Abort()
}

// pageUser sends visitors without a session to the login form.
func (s *pages) pageUser(c *gin.Context) {
	if s.Sessions.Page(c).Token == nil {
		s.toLogin(c)
	}
}

// pageAdmin lets administrators through.
func (s *pages) pageAdmin(c *gin.Context) {
	if u := session.Viewer(c); u == nil || u.Role != database.RoleAdmin {
		s.pageError(c, s.site(c, "admin"), problem.Forbidden("administrators only"))
	}
}

// perPage is the length of every paginated list of the interface.
const perPage = 24

// pageNumber reads the page parameter, 1 when absent or nonsense.
func pageNumber(c *gin.Context) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	// Deep pages cost a large OFFSET; nobody reads 10,000 pages.
	return min(n, 10000)
}

// noRoute answers unknown paths: a page for browsers, problem+json for
// the API and other clients.
func (s *pages) noRoute(c *gin.Context) {
	api := strings.HasPrefix(c.Request.URL.Path, "/api/")
	switch {
	case api && s.UnknownAPI != nil:
		s.UnknownAPI(c)
	case !api && c.Request.Method == http.MethodGet && strings.Contains(c.GetHeader("Accept"), "text/html"):
		s.pageError(c, s.site(c, ""), problem.NotFound("page"))
	default:
		httpserve.NotFound(c)
	}
}
