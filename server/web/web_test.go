package web

import (
	"io/fs"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cuttle.video/server/database"
)

// Every catalog has exactly the keys of the English one, so nothing shows
// half-translated.
func TestCatalogsMatch(t *testing.T) {
	en := site.catalogs[DefaultLang]
	for lang, c := range site.catalogs {
		for k := range en {
			if _, ok := c[k]; !ok {
				t.Errorf("%s.json lacks %q", lang, k)
			}
		}
		for k := range c {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json has %q, which en.json lacks", lang, k)
			}
		}
	}
	if got := Languages(); strings.Join(got, ",") != "en,fr" {
		t.Fatalf("languages = %v", got)
	}
}

// usedKeys finds the message keys the templates and the handlers ask
// for literally.
var (
	templateKeyRE = regexp.MustCompile(`\{\{-?\s*(t|tn) "([^"]+)"`)
	innerKeyRE    = regexp.MustCompile(`\((t|tn) "([^"]+)"`)
	goKeyRE       = regexp.MustCompile(`web\.T\([^,]+, "([^"]+)"`)
)

func TestEveryUsedKeyExists(t *testing.T) {
	en := site.catalogs[DefaultLang]
	need := map[string]string{}
	err := fs.WalkDir(pageFS, "pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(pageFS, p)
		if err != nil {
			return err
		}
		for _, re := range []*regexp.Regexp{templateKeyRE, innerKeyRE} {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if m[1] == "tn" {
					need[m[2]+".one"], need[m[2]+".other"] = p, p
				} else {
					need[m[2]] = p
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	handlers, _ := filepath.Glob("../api/*.go")
	for _, f := range handlers {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKeyRE.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") {
				need[m[1]] = f
			}
		}
	}
	if len(need) < 100 {
		t.Fatalf("found only %d keys: the patterns no longer match the templates", len(need))
	}
	for k, where := range need {
		if _, ok := en[k]; !ok {
			t.Errorf("%s uses %q, missing from en.json", where, k)
		}
	}
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct{ cookie, accept, want string }{
		{"", "", "en"},
		{"", "fr-FR,fr;q=0.9,en;q=0.8", "fr"},
		{"", "de-DE,de;q=0.9,fr;q=0.5,en;q=0.7", "en"},
		{"", "de, fr;q=0.1", "fr"},
		{"", "fr;q=0", "en"},
		{"en", "fr", "en"},
		{"xx", "fr", "fr"},
	} {
		if got := Negotiate(tc.cookie, tc.accept); got != tc.want {
			t.Errorf("Negotiate(%q, %q) = %q, want %q", tc.cookie, tc.accept, got, tc.want)
		}
	}
}

func TestTranslatorForms(t *testing.T) {
	fr, en := site.catalogs.translator("fr"), site.catalogs.translator("en")
	if got := en.N("video.views", 1); got != "1 view" {
		t.Errorf("en 1 = %q", got)
	}
	if got := en.N("video.views", 0); got != "0 views" {
		t.Errorf("en 0 = %q", got)
	}
	if got := fr.N("video.views", 0); got != "0 vue" {
		t.Errorf("fr 0 = %q", got)
	}
	if got := fr.N("video.views", 3); got != "3 vues" {
		t.Errorf("fr 3 = %q", got)
	}
	if got := fr.T("nav.logout", "alice"); got != "Se déconnecter (alice)" {
		t.Errorf("fr format = %q", got)
	}
	if got := fr.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key = %q", got)
	}
	if got := formatDuration(3725); got != "1:02:05" {
		t.Errorf("duration = %q", got)
	}
	if got := formatDuration(65); got != "1:05" {
		t.Errorf("duration = %q", got)
	}
	if got := formatBytes(fr, 3<<29); got != "1,5 Gio" {
		t.Errorf("bytes = %q", got)
	}
}

func TestPager(t *testing.T) {
	base, _ := url.Parse("/search?search=cat&page=2")
	p := NewPager(2, 24, 60, *base)
	if p.Pages != 3 || p.Prev != "/search?search=cat" || p.Next != "/search?page=3&search=cat" {
		t.Fatalf("pager = %+v", p)
	}
	if p := NewPager(1, 24, 0, *base); p.Pages != 1 || p.Prev != "" || p.Next != "" {
		t.Fatalf("empty pager = %+v", p)
	}
}

// Pages render in both languages with the header's parts.
func TestRenderLanguages(t *testing.T) {
	for _, lang := range Languages() {
		w := httptest.NewRecorder()
		err := Render(w, 404, "message.html", Page{
			Site:  Site{Lang: lang, Name: "Cuttle", Path: "/x?y=1", User: &User{Name: "alice", Admin: true}, CSRF: "tok"},
			Title: "Missing",
			Data:  struct{ Message, Link, LinkText string }{"Gone", "/", "Home"},
		})
		if err != nil {
			t.Fatal(err)
		}
		body := w.Body.String()
		for _, want := range []string{`<html lang="` + lang + `">`, `name="csrf-token" content="tok"`, `href="#main"`,
			`aria-pressed="true">` + site.catalogs[lang]["lang.name"], site.catalogs[lang]["nav.admin"], `value="/x?y=1"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s page lacks %q", lang, want)
			}
		}
		if w.Code != 404 || w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("status %d, headers %v", w.Code, w.Header())
		}
	}
}

// The watch page of a video still being transcoded carries what its
// script needs to follow the job and play the video in place: the video,
// the progress so far, the script itself.
func TestRenderWatchTranscoding(t *testing.T) {
	w := httptest.NewRecorder()
	err := RenderWatch(w, 200, WatchPage{
		Title: "Soon", Video: &database.Video{UUID: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", Name: "Soon"},
		Notice: "Being transcoded", Transcoding: true, Progress: 40, AssetVersion: "v1",
		Site: Site{Lang: "en", Name: "Cuttle", Path: "/w/x", CSRF: "tok"},
	})
	if err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	for _, want := range []string{`data-transcoding="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"`, `id="transcoding-bar" max="100" value="40"`,
		`aria-labelledby="transcoding-text"`, `<script src="/player/watch.js?v=v1">`, `name="csrf-token" content="tok"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
}
