package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"cuttle.video/server/servertest"
)

// axeScript is axe-core's build, an npm development package of the
// player (scripts/build-player.sh installs it).
func axeScript(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "player", "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("axe-core is not installed (scripts/build-player.sh installs it): %v", err)
		}
		t.Skip("axe-core is not installed; run scripts/build-player.sh")
	}
	return string(b)
}

// axeRun checks the page against the rules of WCAG 2.0 and 2.1, levels A
// and AA, and lists what fails: rule, impact, the elements, and what axe
// says of the first one (for contrast, the colours and the ratio).
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
	.then((r) => r.violations.map((v) => ({
		id: v.id, impact: v.impact || '', help: v.help,
		targets: v.nodes.map((n) => n.target.join(' ')),
		detail: (v.nodes[0] && v.nodes[0].failureSummary || '').replace(/\s+/g, ' '),
	})))`

type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
	Detail  string   `json:"detail"`
}

// accessible runs axe on the page the tab shows, in the light and the
// dark colour scheme, and fails the test with every violation.
func (w *webTab) accessible(axe, page string) {
	w.t.Helper()
	for _, scheme := range []string{"light", "dark"} {
		if _, err := chromedp.Call(w.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		}); err != nil {
			w.t.Fatalf("emulate %s colours: %v", scheme, err)
		}
		ctx, cancel := context.WithTimeout(w.ctx, time.Minute)
		var err error
		if !webEval[bool](w, `!!window.axe`) { // the page's first check
			_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](axe+"\n;true"))
		}
		var found []axeViolation
		if err == nil {
			found, err = chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
		}
		cancel()
		if err != nil {
			w.t.Fatalf("%s: run axe: %v", page, err)
		}
		if len(found) == 0 {
			continue
		}
		w.shot(strings.NewReplacer("/", "_", "?", "_").Replace(page) + "-" + scheme)
		var b strings.Builder
		for _, v := range found {
			fmt.Fprintf(&b, "\n  %s (%s): %s\n    on %s\n    %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "), v.Detail)
		}
		w.t.Errorf("%s (%s colours) fails WCAG 2.1 AA:%s", page, scheme, b.String())
	}
}

// Every page of the site passes axe-core's WCAG 2.1 AA rules, for
// visitors, owners and administrators, in both colour schemes.
func TestPagesAccessible(t *testing.T) {
	axe := axeScript(t)
	ctx := browser(t)
	s := heldTranscoding(t)
	owner := s.NewUser(t, 2, -1)
	public := uploadAs(t, owner, servertest.Clip(t), "Out in the open", nil)
	protected := uploadAs(t, owner, servertest.Clip(t), "Behind a word", map[string][]string{"privacy": {"5"}, "videoPasswords[]": {"open sesame"}})
	broken := uploadAs(t, owner, servertest.CorruptClip(t, servertest.Clip(t)), "Never ready", nil)
	runner := startRunner(t, s.Config.RedisURL, "runner-a")
	for _, up := range []servertest.UploadedVideo{public, protected, broken} {
		servertest.WaitVideo[videoState](t, owner, up.Video.UUID, 3*time.Minute, 1, 7)
	}
	runner.kill()
	held := uploadAs(t, owner, servertest.Clip(t), "Still cooking", nil)

	w := newWebTab(t, ctx, s.URL)
	check := func(path, ready string) {
		t.Helper()
		w.open(path)
		w.waitUntil(path, ready, 30*time.Second)
		w.accessible(axe, path)
	}
	// A visitor.
	check("/", `document.querySelector('.video-grid .card')`)
	check("/videos/browse", `document.querySelector('.video-grid .card')`)
	channel := webEval[string](w, `document.querySelector('.card-meta a[href^="/c/"]').getAttribute('href')`)
	check("/search?search=open", `document.querySelector('main h1')`)
	check("/search?search=nothing-matches-this", `document.querySelector('main .empty')`)
	check(channel, `document.querySelector('main h1')`)
	check("/a/"+owner.Username, `document.querySelector('main h1')`)
	check("/w/"+public.Video.ShortUUID, `document.getElementById('player')?.dataset.state`)
	// The download dialog is checked open: axe skips hidden content.
	webEval[bool](w, `(document.getElementById('download-dialog').showPopover(), true)`)
	w.accessible(axe, "the download dialog")
	check("/w/"+protected.Video.ShortUUID, `document.getElementById('video-password-input')`)
	check("/videos/embed/"+public.Video.UUID, `document.getElementById('player')?.dataset.state`)
	check("/w/no-such-video", `document.querySelector('.notice')`)
	check("/no/such/page", `document.querySelector('main h1')`)
	check("/signup", `document.querySelector('main h1')`)
	check("/login", `document.getElementById('login-username')`)

	// The owner.
	w.logIn(owner.Username, owner.Password)
	check("/videos/upload", `document.getElementById('upload-form')`)
	check("/my/videos", `document.querySelector('main table, main .empty')`)
	check("/my/videos/"+public.Video.ShortUUID+"/edit", `document.getElementById('edit-form') && document.getElementById('chapter-rows')`)
	check("/w/"+public.Video.ShortUUID, `document.getElementById('player')?.dataset.state && document.querySelector('.share-button')`)
	check("/w/"+held.Video.ShortUUID, `document.querySelector('[data-transcoding]')`)
	check("/w/"+broken.Video.ShortUUID, `document.querySelector('.notice')`)
	check("/admin/users", `document.querySelector('main h1')`)
	w.do(chromedp.Click(chromedp.CSS(`.site-nav button.link`)))
	w.waitUntil("the logout", `document.querySelector('.site-nav a[href^="/login"]')`, 10*time.Second)

	// An administrator.
	w.logIn("root", servertest.RootPassword)
	check("/admin/users", `document.querySelector('table.list')`)
	userPage := webEval[string](w, `[...document.querySelectorAll('table.list th a')].find(a => a.textContent === `+strconv.Quote(owner.Username)+`).getAttribute('href')`)
	check(userPage, `document.getElementById('edit-user')`)
	check("/admin/jobs", `document.querySelector('table.jobs')`)
	check("/admin/jobs?state=failed", `document.querySelector('table.jobs tr.job-failed')`)
	check("/admin/settings", `document.getElementById('settings-form')`)
}
