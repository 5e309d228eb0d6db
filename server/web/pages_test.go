package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/player/bundle"
	"cuttle.video/server/servertest"
)

// webBrowser is a cookie-keeping HTTP client, as a browser is to the
// pages: it does not follow redirects, so tests see them.
type webBrowser struct {
	t    *testing.T
	s    *servertest.Server
	http *http.Client
	jar  *cookiejar.Jar
	lang string
}

func newWebBrowser(t *testing.T, s *servertest.Server) *webBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &webBrowser{t: t, s: s, jar: jar, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type webAnswer struct {
	*http.Response
	Body string
}

func (b *webBrowser) do(method, path string, body io.Reader, h http.Header) webAnswer {
	b.t.Helper()
	req, err := http.NewRequest(method, b.s.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return webAnswer{res, string(raw)}
}

func (b *webBrowser) get(path string) webAnswer {
	b.t.Helper()
	return b.do("GET", path, nil, nil)
}

// post sends a form as a page of the site would, with its Origin.
func (b *webBrowser) post(path string, form url.Values) webAnswer {
	b.t.Helper()
	return b.do("POST", path, strings.NewReader(form.Encode()), http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {b.s.URL},
	})
}

// api calls the JSON API with the session cookie and the CSRF header.
func (b *webBrowser) api(method, path, csrf string, body any) webAnswer {
	b.t.Helper()
	h := http.Header{}
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
		h.Set("Content-Type", "application/json")
	}
	if csrf != "" {
		h.Set("X-CSRF-Token", csrf)
	}
	return b.do(method, path, r, h)
}

func (b *webBrowser) cookie(name string) string {
	u, _ := url.Parse(b.s.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var csrfMetaRE = regexp.MustCompile(`<meta name="csrf-token" content="([0-9a-f]+)">`)

// csrf reads the token a page embeds for its scripts.
func (a webAnswer) csrf(t *testing.T) string {
	t.Helper()
	m := csrfMetaRE.FindStringSubmatch(a.Body)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%.600s", a.Body)
	}
	return m[1]
}

func (a webAnswer) expect(t *testing.T, status int, contains ...string) webAnswer {
	t.Helper()
	if a.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%.800s", a.Request.Method, a.Request.URL, a.StatusCode, status, a.Body)
	}
	for _, s := range contains {
		if !strings.Contains(a.Body, s) {
			t.Fatalf("%s %s: the answer lacks %q\n%s", a.Request.Method, a.Request.URL, s, a.Body)
		}
	}
	return a
}

func (a webAnswer) redirectsTo(t *testing.T, want string) {
	t.Helper()
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != want {
		t.Fatalf("%s %s: %d to %q, want 303 to %q", a.Request.Method, a.Request.URL, a.StatusCode, a.Header.Get("Location"), want)
	}
}

func TestWebSession(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, backend servertest.Backend) {
		s := servertest.Start(t, backend)
		user := s.NewUser(t, 2, -1)
		b := newWebBrowser(t, s)

		b.get("/my/videos").redirectsTo(t, "/login?next=%2Fmy%2Fvideos")
		b.post("/login", url.Values{"username": {user.Username}, "password": {"wrong-password"}}).
			expect(t, http.StatusBadRequest, "The username or the password is wrong.")
		// A login form posted from another site is refused.
		evil := b.do("POST", "/login", strings.NewReader(url.Values{"username": {user.Username}, "password": {user.Password}}.Encode()),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {"http://evil.example"}})
		if evil.StatusCode != http.StatusForbidden || b.cookie("cuttle_session") != "" {
			t.Fatalf("cross-site login: %d, cookie %q", evil.StatusCode, b.cookie("cuttle_session"))
		}

		res := b.post("/login", url.Values{"username": {user.Username}, "password": {user.Password}, "next": {"/my/videos"}})
		res.redirectsTo(t, "/my/videos")
		for _, c := range res.Cookies() {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
				t.Fatalf("cookie %s: HttpOnly %v, SameSite %v, Path %q", c.Name, c.HttpOnly, c.SameSite, c.Path)
			}
		}
		// A next parameter never leaves the site.
		b.post("/login", url.Values{"username": {user.Username}, "password": {user.Password}, "next": {"//evil.example/x"}}).redirectsTo(t, "/")

		page := b.get("/my/videos").expect(t, http.StatusOK, "Log out ("+user.Username+")")
		csrf := page.csrf(t)

		// The cookie alone is no credential for the API; with the header it is.
		b.api("GET", "/api/v1/users/me", "", nil).expect(t, http.StatusUnauthorized)
		b.api("GET", "/api/v1/users/me", "0123456789abcdef0123456789abcdef", nil).expect(t, http.StatusForbidden, "invalid_csrf_token")
		b.api("GET", "/api/v1/users/me", csrf, nil).expect(t, http.StatusOK, `"username":"`+user.Username+`"`)

		// An expired access token is refreshed by the page, without a login.
		access := b.cookie("cuttle_session")
		s.Clock.Advance(25 * time.Hour)
		page = b.get("/my/videos").expect(t, http.StatusOK, "Log out ("+user.Username+")")
		if b.cookie("cuttle_session") == access {
			t.Fatal("the page did not refresh the expired session")
		}
		csrf = page.csrf(t)
		// ... and by the API, which hands the script its new CSRF token.
		s.Clock.Advance(25 * time.Hour)
		res = b.api("GET", "/api/v1/users/me", csrf, nil).expect(t, http.StatusOK)
		next := res.Header.Get("X-CSRF-Token")
		if next == "" || next == csrf {
			t.Fatalf("refresh through the API gave CSRF token %q", next)
		}
		b.api("GET", "/api/v1/users/me", next, nil).expect(t, http.StatusOK)

		// Logging out needs the form's CSRF field, and ends the session on
		// the server, not only in the browser.
		page = b.get("/my/videos").expect(t, http.StatusOK)
		access = b.cookie("cuttle_session")
		b.post("/logout", url.Values{}).expect(t, http.StatusForbidden)
		b.post("/logout", url.Values{"csrf": {page.csrf(t)}}).redirectsTo(t, "/")
		if b.cookie("cuttle_session") != "" || b.cookie("cuttle_refresh") != "" {
			t.Fatal("logout left the cookies")
		}
		s.WithToken(t, access).Do("GET", "/api/v1/users/me", nil).Expect(http.StatusUnauthorized)
		b.get("/").expect(t, http.StatusOK, ">Log in</a>")
	})
}

func TestWebLanguage(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	b := newWebBrowser(t, s)
	b.get("/videos/browse").expect(t, http.StatusOK, `<html lang="en">`, "Browse videos")
	b.lang = "fr-CA,fr;q=0.9"
	b.get("/videos/browse").expect(t, http.StatusOK, `<html lang="fr">`, "Parcourir les vidéos")
	b.lang = ""
	b.post("/language", url.Values{"lang": {"fr"}, "next": {"/videos/browse?sort=-views"}}).redirectsTo(t, "/videos/browse?sort=-views")
	b.get("/videos/browse").expect(t, http.StatusOK, `<html lang="fr">`, "Les plus vues", `aria-pressed="true">Français`)
	b.post("/language", url.Values{"lang": {"xx"}}).expect(t, http.StatusBadRequest)
	b.do("GET", "/no/such/page", nil, http.Header{"Accept": {"text/html"}}).expect(t, http.StatusNotFound, "Il n’y a rien à cette adresse.")
	if res := b.get("/no/such/page"); res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("unknown path without Accept: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestRegistration(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, backend servertest.Backend) {
		s := servertest.Start(t, backend)
		anon := s.Anonymous(t)
		reg := map[string]any{"username": "newcomer", "password": "secret-pass", "email": "newcomer@example.org",
			"displayName": "New Comer", "channel": map[string]string{"name": "newcomer_videos", "displayName": "Newcomer's videos"}}
		anon.Do("POST", "/api/v1/users/register", reg).Problem(http.StatusForbidden)
		b := newWebBrowser(t, s)
		b.get("/signup").expect(t, http.StatusForbidden, "does not accept new accounts")
		b.post("/signup", url.Values{"username": {"early"}, "email": {"early@example.org"}, "password": {"early-pass"}}).
			expect(t, http.StatusForbidden, "does not accept new accounts")
		b.get("/").expect(t, http.StatusOK)
		if strings.Contains(b.get("/").Body, `href="/signup"`) {
			t.Fatal("the header offers sign-up while it is closed")
		}

		// Only admins open it.
		user := s.NewUser(t, 2, -1)
		user.Do("PUT", "/api/v1/config/custom", map[string]any{"signup": map[string]any{"enabled": true}}).Problem(http.StatusForbidden)
		var cfg struct {
			Signup struct {
				Enabled bool `json:"enabled"`
			} `json:"signup"`
			Instance struct {
				Name string `json:"name"`
			} `json:"instance"`
		}
		s.Root(t).Do("PUT", "/api/v1/config/custom", map[string]any{"signup": map[string]any{"enabled": true},
			"instance": map[string]any{"name": "Test Tube"}}).Expect(http.StatusOK).JSON(&cfg)
		if !cfg.Signup.Enabled || cfg.Instance.Name != "Test Tube" {
			t.Fatalf("custom config = %+v", cfg)
		}
		s.Root(t).Do("PUT", "/api/v1/config/custom", map[string]any{"instance": map[string]any{"name": ""}}).Problem(http.StatusBadRequest)
		var pub struct {
			Instance struct{ Name string }
			Signup   struct{ Allowed bool }
		}
		anon.Do("GET", "/api/v1/config", nil).Expect(http.StatusOK).JSON(&pub)
		if pub.Instance.Name != "Test Tube" || !pub.Signup.Allowed {
			t.Fatalf("public config = %+v", pub)
		}

		anon.Do("POST", "/api/v1/users/register", reg).Expect(http.StatusNoContent)
		anon.Do("POST", "/api/v1/users/register", reg).Problem(http.StatusConflict)
		p := anon.Do("POST", "/api/v1/users/register", map[string]any{"username": "Bad Name", "password": "x", "email": "nope"}).Problem(http.StatusBadRequest)
		if p.InvalidParams["username"] == "" || p.InvalidParams["password"] == "" || p.InvalidParams["email"] == "" {
			t.Fatalf("invalid params = %v", p.InvalidParams)
		}
		newcomer := s.Client(t, "newcomer", "secret-pass")
		var me struct {
			Role    struct{ ID int }
			Account struct {
				DisplayName string `json:"displayName"`
			} `json:"account"`
			VideoChannels []struct {
				Name        string `json:"name"`
				DisplayName string `json:"displayName"`
			} `json:"videoChannels"`
		}
		newcomer.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
		if me.Role.ID != 2 || me.Account.DisplayName != "New Comer" || len(me.VideoChannels) != 1 ||
			me.VideoChannels[0].Name != "newcomer_videos" || me.VideoChannels[0].DisplayName != "Newcomer's videos" {
			t.Fatalf("registered user = %+v", me)
		}

		// The sign-up form creates the account and logs its owner in.
		b.get("/signup").expect(t, http.StatusOK, "Test Tube")
		b.post("/signup", url.Values{"username": {"formuser"}, "email": {"bad"}, "password": {"form-pass"}}).
			expect(t, http.StatusBadRequest, "E-mail: must be a valid e-mail address")
		b.post("/signup", url.Values{"username": {"formuser"}, "email": {"formuser@example.org"}, "password": {"form-pass"}}).redirectsTo(t, "/my/videos")
		b.get("/my/videos").expect(t, http.StatusOK, "Log out (formuser)")
	})
}

// webUpload uploads a clip and sets its tags and privacy.
func webUpload(t *testing.T, c *servertest.Client, clip, name string, tags []string) string {
	t.Helper()
	var up servertest.UploadedVideo
	fields := map[string][]string{"name": {name}, "channelId": {strconv.FormatInt(c.Channel(), 10)}, "tags[]": tags}
	c.Upload(clip, fields).Expect(http.StatusOK).JSON(&up)
	return up.Video.UUID
}

func TestWebBrowseAndSearch(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, backend servertest.Backend) {
		s := servertest.Start(t, backend, servertest.FastTranscoding)
		user := s.NewUser(t, 2, -1)
		clip := servertest.Clip(t)
		cats := webUpload(t, user, clip, "Cats at play", []string{"kitten", "pets"})
		dogs := webUpload(t, user, clip, "Dog walk, 100% fun", []string{"pets"})
		hidden := webUpload(t, user, clip, "Secret cats", []string{"kitten"})
		user.Do("PUT", "/api/v1/videos/"+hidden, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)
		for _, id := range []string{cats, dogs, hidden} {
			servertest.WaitState(t, user, id, 2*time.Minute, 1)
		}

		anon := s.Anonymous(t)
		search := func(c *servertest.Client, query string) []string {
			t.Helper()
			var l struct {
				Total int
				Data  []struct{ Name string }
			}
			c.Do("GET", "/api/v1/search/videos?"+query, nil).Expect(http.StatusOK).JSON(&l)
			var names []string
			for _, v := range l.Data {
				names = append(names, v.Name)
			}
			if l.Total != len(names) {
				t.Fatalf("search %s: total %d for %d videos", query, l.Total, len(names))
			}
			return names
		}
		for query, want := range map[string]string{
			"search=cats":                        "Cats at play",
			"search=KITTEN":                      "Cats at play",
			"search=walk+dog":                    "Dog walk, 100% fun",
			"search=100%25":                      "Dog walk, 100% fun",
			"search=10_%25":                      "",
			"search=cats+dog":                    "",
			"tagsOneOf=pets&sort=-match":         "Dog walk, 100% fun,Cats at play",
			"search=play&tagsOneOf=pets":         "Cats at play",
			"tagsOneOf=kitten&tagsOneOf=nothing": "Cats at play",
		} {
			if got := strings.Join(search(anon, query), ","); got != want {
				t.Errorf("search %s = %q, want %q", query, got, want)
			}
		}
		anon.Do("GET", "/api/v1/search/videos?search="+strings.Repeat("x", 201), nil).Problem(http.StatusBadRequest)
		anon.Do("GET", "/api/v1/search/videos?search=x&sort=-nonsense", nil).Problem(http.StatusBadRequest)

		b := newWebBrowser(t, s)
		home := b.get("/").expect(t, http.StatusOK, "Cats at play", "Dog walk, 100% fun", `<span class="duration">0:02</span>`,
			`/lazy-static/thumbnails/`+cats+`.jpg`)
		if strings.Contains(home.Body, "Secret cats") {
			t.Fatal("the home page lists a private video")
		}
		b.get("/search?search=kitten").expect(t, http.StatusOK, "Cats at play", "1 video")
		var ch struct{ VideoChannels []struct{ Name string } }
		user.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&ch)
		b.get("/c/"+ch.VideoChannels[0].Name).expect(t, http.StatusOK, "Cats at play", "Dog walk", "2 videos")
		b.get("/a/"+user.Username).expect(t, http.StatusOK, "/c/"+ch.VideoChannels[0].Name, "2 videos")
		b.get("/c/nobody_here").expect(t, http.StatusNotFound)
		b.get("/videos/browse?sort=-views&page=2").expect(t, http.StatusOK, "Page 2 of 1")

		var v struct{ ShortUUID string }
		anon.Do("GET", "/api/v1/videos/"+cats, nil).Expect(http.StatusOK).JSON(&v)
		b.get("/videos/embed/"+cats).expect(t, http.StatusOK, `<video id="player"`, `master.m3u8`, `/w/`+v.ShortUUID)
		b.get("/videos/embed/"+hidden).expect(t, http.StatusNotFound, "does not exist")
		b.get("/videos/embed/nonsense").expect(t, http.StatusNotFound)

		// The owner's pages: their list with every video, the edit page.
		owner := newWebBrowser(t, s)
		owner.post("/login", url.Values{"username": {user.Username}, "password": {user.Password}}).redirectsTo(t, "/")
		owner.get("/my/videos").expect(t, http.StatusOK, "Secret cats", "Private", "3 videos")
		owner.get("/my/videos/"+hidden+"/edit").expect(t, http.StatusOK, `value="Secret cats"`, `value="kitten"`,
			`data-api="PUT /api/v1/videos/`)
		owner.get("/videos/upload").expect(t, http.StatusOK, `data-chunk-size="8388608"`, "/player/upload.js")
		// Someone else's video cannot be edited.
		other := newWebBrowser(t, s)
		stranger := s.NewUser(t, 2, -1)
		other.post("/login", url.Values{"username": {stranger.Username}, "password": {stranger.Password}}).redirectsTo(t, "/")
		other.get("/my/videos/"+cats+"/edit").expect(t, http.StatusForbidden)
		other.get("/admin/jobs").expect(t, http.StatusForbidden)

		// Admin pages: jobs with the runner that did them, users.
		admin := newWebBrowser(t, s)
		admin.post("/login", url.Values{"username": {"root"}, "password": {servertest.RootPassword}}).redirectsTo(t, "/")
		admin.get("/admin/jobs?state=completed").expect(t, http.StatusOK, "Cats at play", "vod-hls", "Idle")
		admin.get("/admin/users").expect(t, http.StatusOK, user.Username, stranger.Username)
		admin.get("/admin/settings").expect(t, http.StatusOK, `name="signup.enabled"`)
		var me struct{ ID int64 }
		stranger.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
		admin.get("/admin/users/"+strconv.FormatInt(me.ID, 10)).expect(t, http.StatusOK, stranger.Username, "Delete this user")
		admin.get("/admin/users/1").expect(t, http.StatusOK, "root")
		if strings.Contains(admin.get("/admin/users/1").Body, "Delete this user") {
			t.Fatal("the root user is offered for deletion")
		}
	})
}

func TestCompressedAssets(t *testing.T) {
	if !bundle.Built() {
		t.Skip("the player bundle is not built")
	}
	s := servertest.Start(t, servertest.SQLite)
	raw, err := fs.ReadFile(bundle.Assets(), bundle.Script)
	if err != nil {
		t.Fatal(err)
	}
	b := newWebBrowser(t, s)
	res := b.do("GET", "/player/watch.js?v="+bundle.Version(), nil, http.Header{"Accept-Encoding": {"br, gzip"}})
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip answer: %d %v", res.StatusCode, res.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, raw) {
		t.Fatalf("the gzip copy differs from the file (%v)", err)
	}
	if len(res.Body)*2 > len(raw) {
		t.Fatalf("watch.js gzips to %d of %d bytes", len(res.Body), len(raw))
	}
	plain := b.do("GET", "/player/site.css", nil, http.Header{"Accept-Encoding": {"identity"}})
	if plain.StatusCode != http.StatusOK || plain.Header.Get("Content-Encoding") != "" || !strings.Contains(plain.Body, "--accent") {
		t.Fatalf("plain answer: %d %v", plain.StatusCode, plain.Header)
	}
	b.do("GET", "/player/nothing.js", nil, http.Header{"Accept-Encoding": {"gzip"}}).expect(t, http.StatusNotFound)
}

func TestWatchPageOfPrivateVideo(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	owner := s.NewUser(t, 2, -1)
	var up servertest.UploadedVideo
	owner.Upload(servertest.Clip(t), map[string][]string{
		"name": {"Only for me"}, "channelId": {strconv.FormatInt(owner.Channel(), 10)}, "privacy": {"3"},
	}).Expect(http.StatusOK).JSON(&up)

	// Others are told it does not exist, as for a video that does not.
	anonymous := newWebBrowser(t, s).get("/w/" + up.Video.ShortUUID)
	if anonymous.StatusCode != http.StatusNotFound || strings.Contains(string(anonymous.Body), "Only for me") {
		t.Fatalf("anonymous visitor: %d", anonymous.StatusCode)
	}
	other := newWebBrowser(t, s)
	stranger := s.NewUser(t, 2, -1)
	other.post("/login", url.Values{"username": {stranger.Username}, "password": {stranger.Password}})
	if res := other.get("/w/" + up.Video.ShortUUID); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another user: %d", res.StatusCode)
	}
	b := newWebBrowser(t, s)
	b.post("/login", url.Values{"username": {owner.Username}, "password": {owner.Password}})
	b.get("/w/"+up.Video.ShortUUID).expect(t, http.StatusOK, "Only for me", `<html lang="en">`)
	// The watch page speaks the visitor's language too, whether the video
	// is still being transcoded or already plays.
	b.lang = "fr"
	page := string(b.get("/w/"+up.Video.ShortUUID).expect(t, http.StatusOK, `<html lang="fr">`).Body)
	if !strings.Contains(page, "en cours de transcodage") && !strings.Contains(page, "Qualité") {
		t.Fatalf("the French watch page is not in French:\n%s", page)
	}
}
