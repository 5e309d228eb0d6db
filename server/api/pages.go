package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/player"
	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/web"
)

// The web interface: pages rendered here with html/template (see package
// web), whose few scripts call the JSON API with the session cookie.

// webRoutes registers the pages on r and the API they need on v1.
func (s *server) webRoutes(r *gin.Engine, v1 *gin.RouterGroup) {
	r.GET("/", s.homePage)
	r.GET("/videos/browse", s.browsePage)
	r.GET("/search", s.searchPage)
	r.GET("/c/:handle", s.channelPage)
	r.GET("/a/:name", s.accountPage)
	r.GET("/videos/embed/:id", s.embedPage)
	r.GET("/login", s.loginPage)
	r.POST("/login", smallForm(s.formError), s.loginSubmit)
	r.POST("/logout", smallForm(s.formError), s.logoutSubmit)
	r.GET("/signup", s.signupPage)
	r.POST("/signup", smallForm(s.formError), s.signupSubmit)
	r.POST("/language", smallForm(s.formError), s.languageSubmit)
	r.GET("/videos/upload", s.pageUser, s.uploadPage)
	r.GET("/my/videos", s.pageUser, s.myVideosPage)
	r.GET("/my/videos/:id/edit", s.pageUser, s.editVideoPage)
	admin := r.Group("/admin", s.pageUser, s.pageAdmin)
	admin.GET("", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin/users") })
	admin.GET("/users", s.adminUsersPage)
	admin.GET("/users/:id", s.adminUserPage)
	admin.GET("/jobs", s.adminJobsPage)
	admin.GET("/settings", s.adminSettingsPage)

	v1.GET("/search/videos", s.searchVideos)
	v1.POST("/users/register", s.register)
	v1.GET("/config", s.publicConfig)
	v1.GET("/config/custom", s.requireUser, s.requireRole(database.RoleAdmin), s.customConfig)
	v1.PUT("/config/custom", s.requireUser, s.requireRole(database.RoleAdmin), s.updateCustomConfig)
}

// site gathers what every page's header needs; nav names the current
// section.
func (s *server) site(c *gin.Context, nav string) web.Site {
	sess := s.pageSession(c)
	ctx := c.Request.Context()
	lang, _ := c.Cookie(langCookie)
	st, err := s.Instance.Get(ctx)
	if err != nil {
		s.Log.ErrorContext(ctx, "instance settings", "err", err)
	}
	out := web.Site{
		Lang: web.Negotiate(lang, c.GetHeader("Accept-Language")), Name: st.Name, CSRF: sess.csrf,
		Path: c.Request.URL.RequestURI(), SignupEnabled: st.SignupEnabled, AssetVersion: player.Version(), Nav: nav,
	}
	if sess.token != nil {
		u := sess.token.User
		out.User = &web.User{Name: u.Username, Admin: u.Role == database.RoleAdmin}
		if u.Account != nil {
			out.User.DisplayName = u.Account.DisplayName
		}
	}
	return out
}

// renderPage writes a page; a failure here is a template bug, logged.
func (s *server) renderPage(c *gin.Context, status int, name string, p web.Page) {
	c.Header("Vary", "Cookie, Accept-Language")
	if err := web.Render(c.Writer, status, name, p); err != nil {
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
func (s *server) pageError(c *gin.Context, site web.Site, err error) {
	p := problem.From(err)
	ctx := c.Request.Context()
	if p.Status >= 500 {
		s.Log.ErrorContext(ctx, "page failed", "request_id", c.GetString(requestIDKey), "path", c.Request.URL.Path, "err", p.Error())
	}
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
	s.renderPage(c, p.Status, "message.html", web.Page{Site: site, Title: web.T(site.Lang, key+".title"),
		Data: messagePage{Message: web.T(site.Lang, key), Link: "/", LinkText: web.T(site.Lang, "error.home")}})
}

// formError answers a refused form post with an error page.
func (s *server) formError(c *gin.Context, err error) { s.pageError(c, s.site(c, ""), err) }

func (s *server) toLogin(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	c.Abort()
}

// pageUser sends visitors without a session to the login form.
func (s *server) pageUser(c *gin.Context) {
	if s.pageSession(c).token == nil {
		s.toLogin(c)
	}
}

// pageAdmin lets administrators through.
func (s *server) pageAdmin(c *gin.Context) {
	if u := viewer(c); u == nil || u.Role != database.RoleAdmin {
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
func (s *server) noRoute(c *gin.Context) {
	if c.Request.Method == http.MethodGet && !strings.HasPrefix(c.Request.URL.Path, "/api/") &&
		strings.Contains(c.GetHeader("Accept"), "text/html") {
		s.pageError(c, s.site(c, ""), problem.NotFound("page"))
		return
	}
	s.fail(c, notFoundRoute(c))
}
