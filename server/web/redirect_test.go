package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cuttle.video/server/servertest"
)

// browserTarget resolves a Location header against the page as a
// browser does: tabs and newlines vanish, spaces and control characters
// around it are trimmed, and a backslash is a slash.
func browserTarget(t *testing.T, base, location string) *url.URL {
	t.Helper()
	l := strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(location)
	l = strings.ReplaceAll(strings.TrimFunc(l, func(r rune) bool { return r <= ' ' }), `\`, "/")
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := url.Parse(l)
	if err != nil {
		t.Fatalf("Location %q does not parse: %v", location, err)
	}
	return b.ResolveReference(ref)
}

// The page a visitor returns to after logging in, or after choosing a
// language, is always on this site, whatever "next" says.
func TestRedirectsStayOnSite(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	user := s.NewUser(t, 2, -1)
	site, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	b := newWebBrowser(t, s)
	login := url.Values{"username": {user.Username}, "password": {user.Password}}
	b.post("/login", login).redirectsTo(t, "/")

	lands := func(what string, res webAnswer, next string) {
		t.Helper()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s with next %q: status %d", what, next, res.StatusCode)
		}
		if to := browserTarget(t, s.URL+"/login", loc); to.Scheme != site.Scheme || to.Host != site.Host {
			t.Errorf("%s with next %q: Location %q takes the browser to %s", what, next, loc, to)
		}
	}
	for _, next := range []string{
		"/\t/evil.example/x", "/%09/evil.example/x", "/\t/evil", "/\\evil", `\\evil`, "/\\/evil",
		"https:evil", "https://evil.example/", "//evil", "///evil", " //evil", "\t//evil", "\x01//evil",
		"/\r\n/evil", "/%0d%0a/evil", "/%2F/evil", "javascript:alert(1)", "JavaScript:alert(1)",
		"//user@evil", "evil.example", "",
	} {
		form := url.Values{"next": {next}}
		for k, v := range login {
			form[k] = v
		}
		lands("POST /login", b.post("/login", form), next)
		lands("GET /login", b.get("/login?next="+url.QueryEscape(next)), next)
		lands("POST /language", b.post("/language", url.Values{"lang": {"en"}, "next": {next}}), next)
	}

	// A path and query of the site are kept as they are.
	for _, next := range []string{"/my/videos", "/search?search=cats&sort=-views", "/w/abc%2Fdef"} {
		form := url.Values{"next": {next}}
		for k, v := range login {
			form[k] = v
		}
		b.post("/login", form).redirectsTo(t, next)
		b.get("/login?next="+url.QueryEscape(next)).redirectsTo(t, next)
		b.post("/language", url.Values{"lang": {"en"}, "next": {next}}).redirectsTo(t, next)
	}
}
