package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The pages of the web interface. Each file is a whole page built from
// the partials of layout.html; templates/ holds the watch page.
//
//go:embed pages/*.html
var pageFS embed.FS

// Site is what every page needs to draw its header: who is looking, in
// which language, and the token its forms and scripts send back.
type Site struct {
	// Lang is the catalog the page is rendered with.
	Lang string
	// Name is the instance's name.
	Name string
	// User is the logged-in user, or nil.
	User *User
	// CSRF is the session's anti-forgery token; empty without a session.
	CSRF string
	// Path is the request's path and query, where the language switch
	// and the login link come back to.
	Path string
	// Search is the text of the search box.
	Search        string
	SignupEnabled bool
	// AssetVersion busts caches of the bundled scripts and styles.
	AssetVersion string
	// Nav names the header link of the current section.
	Nav string
}

// User is the logged-in user as the header shows them.
type User struct {
	Name        string
	DisplayName string
	Admin       bool
}

// Page is the data of every page but the watch page.
type Page struct {
	Site  Site
	Title string
	Data  any
}

// VideoCard is a video in a list.
type VideoCard struct {
	ID          int64
	ShortUUID   string
	Name        string
	Thumbnail   string
	Duration    int
	Views       int64
	Published   time.Time
	ChannelName string
	// ChannelHandle links to the channel's page.
	ChannelHandle string
	Privacy       int
	PrivacyLabel  string
	State         int
	StateLabel    string
}

// Share is what the share dialog of a video offers: its link, and the
// HTML that embeds its player in another site.
type Share struct {
	Link, Embed string
	// AssetVersion busts caches of the script of the copy buttons.
	AssetVersion string
}

// Pager is the navigation of a paginated list.
type Pager struct {
	Page, Pages int
	Prev, Next  string
}

// NewPager computes the pages of total items, perPage each, linking to
// base with a page parameter.
func NewPager(page, perPage, total int, base url.URL) Pager {
	pages := max((total+perPage-1)/perPage, 1)
	p := Pager{Page: page, Pages: pages}
	link := func(n int) string {
		q := base.Query()
		if n <= 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(n))
		}
		u := base
		u.RawQuery = q.Encode()
		return u.RequestURI()
	}
	if page > 1 {
		p.Prev = link(min(page-1, pages))
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p
}

// renderer holds one template set per language: each binds t to its
// catalog, so a template simply writes {{t "key"}}.
type renderer struct {
	catalogs Catalogs
	sets     map[string]*template.Template
}

func newRenderer(extra ...fs.FS) (*renderer, error) {
	sub, err := fs.Sub(catalogFS, "i18n")
	if err != nil {
		return nil, err
	}
	cs, err := LoadCatalogs(sub)
	if err != nil {
		return nil, err
	}
	r := &renderer{catalogs: cs, sets: map[string]*template.Template{}}
	for lang := range cs {
		set, err := template.New("").Funcs(funcs(cs, cs.translator(lang))).ParseFS(pageFS, "pages/*.html")
		if err != nil {
			return nil, fmt.Errorf("web: parse pages: %w", err)
		}
		for _, fsys := range extra {
			if set, err = set.ParseFS(fsys, "templates/*.html"); err != nil {
				return nil, fmt.Errorf("web: parse templates: %w", err)
			}
		}
		r.sets[lang] = set
	}
	return r, nil
}

// site is the renderer of the pages, built once from embedded files.
var site = func() *renderer {
	r, err := newRenderer(templates)
	if err != nil {
		// Only a broken template or catalog in the binary gets here, and
		// the package's tests catch those.
		panic(err)
	}
	return r
}()

// Languages lists the interface's languages.
func Languages() []string { return site.catalogs.Languages() }

// Negotiate picks the interface language of a request; see
// Catalogs.Negotiate.
func Negotiate(cookie, acceptLanguage string) string {
	return site.catalogs.Negotiate(cookie, acceptLanguage)
}

// T translates a message outside templates, such as a flash message.
func T(lang, key string, args ...any) string { return site.catalogs.translator(lang).T(key, args...) }

// Render writes page name (a file of pages/) with status.
func Render(w http.ResponseWriter, status int, name string, p Page) error {
	return site.render(w, status, p.Site.Lang, name, p)
}

func (r *renderer) render(w http.ResponseWriter, status int, lang, name string, data any) error {
	set, ok := r.sets[lang]
	if !ok {
		set = r.sets[DefaultLang]
	}
	// Rendered whole before anything is sent, so a template failure is a
	// clean error page rather than half a page.
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages depend on the session and the language.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

func funcs(cs Catalogs, tr translator) template.FuncMap {
	return template.FuncMap{
		"t":  tr.T,
		"tn": tr.N,
		// langName names a language in itself, for the language switch.
		"langName":  func(code string) string { return cs.translator(code).T("lang.name") },
		"languages": cs.Languages,
		"duration":  formatDuration,
		"date": func(t time.Time) string {
			return fmt.Sprintf(tr.T("date.format"), t.Day(), tr.T("month."+strconv.Itoa(int(t.Month()))), t.Year())
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"bytes": func(n int64) string {
			return formatBytes(tr, n)
		},
		"percent": func(f float64) int { return int(f*100 + 0.5) },
		// messages are the js.* messages, for the page's scripts.
		"messages": func() (string, error) {
			b, err := json.Marshal(tr.Subset("js."))
			return string(b), err
		},
	}
}

// formatDuration writes seconds as m:ss or h:mm:ss.
func formatDuration(s int) string {
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func formatBytes(tr translator, n int64) string {
	if n < 0 {
		return tr.T("quota.unlimited")
	}
	units := []string{"unit.B", "unit.KiB", "unit.MiB", "unit.GiB", "unit.TiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d %s", n, tr.T(units[0]))
	}
	whole, tenth := int64(f*10+0.5)/10, int64(f*10+0.5)%10
	return fmt.Sprintf("%d%s%d %s", whole, tr.T("number.decimal"), tenth, tr.T(units[i]))
}
