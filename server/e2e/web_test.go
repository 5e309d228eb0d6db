package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

// The web interface in headless Chromium, as a person uses it. The
// screenshots of each page are kept in CUTTLE_TEST_ARTIFACTS when it is
// set (the test harness sets it), else in the test's temporary directory.

// webTab is a browser tab driving one test, with what the steps share.
type webTab struct {
	t         *testing.T
	ctx       context.Context
	base      string
	artifacts string
}

func newWebTab(t *testing.T, ctx context.Context, base string) *webTab {
	t.Helper()
	dir := os.Getenv("CUTTLE_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else {
		dir = filepath.Join(dir, t.Name())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The first action starts the browser, which lives as long as the
	// context of that call: this one has no timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	return &webTab{t: t, ctx: ctx, base: base, artifacts: dir}
}

func (w *webTab) do(actions ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		w.t.Fatalf("browser: %v", err)
	}
}

func (w *webTab) open(path string) {
	w.t.Helper()
	w.do(chromedp.Navigate(w.base + path))
}

// eval runs JavaScript in the page and decodes its value.
func webEval[T any](w *webTab, expr string) T {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		w.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitUntil polls a JavaScript condition until it holds.
func (w *webTab) waitUntil(what, expr string, timeout time.Duration) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	// While the page navigates, the elements expr reads may be missing
	// for a moment: that is "not yet", not a failure.
	for !webEval[bool](w, "(() => { try { return !!("+expr+") } catch { return false } })()") {
		if time.Now().After(deadline) {
			w.shot("timeout")
			w.t.Fatalf("waited %v for %s; page %s says: %s", timeout, what,
				webEval[string](w, "location.href"), webEval[string](w, "document.querySelector('main')?.innerText || document.body.innerText"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shot keeps a PNG of the whole page as name.png.
func (w *webTab) shot(name string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		w.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(w.artifacts, name+".png"), png, 0o644); err != nil {
		w.t.Errorf("keep screenshot %s: %v", name, err)
	}
}

// throttle limits (or, with 0, releases) the tab's upload speed; offline
// cuts the network.
func (w *webTab) network(uploadBytesPerSecond float64, offline bool) {
	w.t.Helper()
	up := uploadBytesPerSecond
	if up == 0 {
		up = -1
	}
	_, err := chromedp.Call(w.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: up, Offline: offline}},
	})
	if err != nil {
		w.t.Fatalf("emulate network: %v", err)
	}
}

// keys types into the focused element, as a keyboard does.
func (w *webTab) keys(text string) {
	w.t.Helper()
	w.do(chromedp.KeyEvent(text))
}

func (w *webTab) focused() string {
	w.t.Helper()
	return webEval[string](w, `(() => { const e = document.activeElement; return e ? (e.id || e.name || e.tagName) : '' })()`)
}

// bigClip is a clip of about 20 MB, so an upload takes three 8 MiB
// chunks and a throttled one lasts a few seconds: a constant bitrate
// pads the frames.
func bigClip(t *testing.T, seconds int) string {
	t.Helper()
	d := strconv.Itoa(seconds)
	return servertest.Generate(t, "holiday.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration="+d,
		"-f", "lavfi", "-i", "sine=frequency=440:duration="+d,
		"-c:v", "libx264", "-preset", "ultrafast", "-b:v", "20M", "-minrate", "20M", "-maxrate", "20M", "-bufsize", "2M",
		"-x264-params", "nal-hrd=cbr:force-cfr=1",
		"-c:a", "aac", "-shortest")
}

// watchProgress records every value the upload bar takes, and every
// status message, in the page, so fast changes are not missed.
const watchProgress = `(() => {
	window.seenProgress = []; window.seenStatus = [];
	const bar = document.getElementById('upload-bar'), status = document.getElementById('upload-status');
	new MutationObserver(() => window.seenProgress.push(bar.value)).observe(bar, {attributes: true});
	new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => window.seenStatus.push(n.textContent))))
		.observe(status, {childList: true});
	return true })()`

func TestWebInterface(t *testing.T) {
	ctx := browser(t)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	user := s.NewUser(t, 2, -1)
	w := newWebTab(t, ctx, s.URL)

	// Log in with the keyboard alone: the form's first field has the
	// focus, Tab moves on, Enter sends.
	w.open("/login?next=/videos/upload")
	w.waitUntil("the login form", `document.activeElement && document.activeElement.id === 'login-username'`, 10*time.Second)
	w.shot("login")
	w.keys(user.Username)
	w.keys("\t")
	if f := w.focused(); f != "login-password" {
		t.Fatalf("Tab from the username went to %q", f)
	}
	w.keys(user.Password)
	w.keys("\r")
	w.waitUntil("the upload page", `location.pathname === '/videos/upload' && document.getElementById('upload-form')`, 10*time.Second)

	// Upload through the page, slowed down so the bar visibly moves; a
	// reload and a dropped connection halfway do not start it over.
	path := bigClip(t, 8)
	fi, _ := os.Stat(path)
	t.Logf("clip: %d bytes", fi.Size())
	w.do(chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{path}))
	w.waitUntil("the title from the file name", `document.getElementById('upload-name').value === 'holiday'`, 5*time.Second)
	w.do(chromedp.SetValue(chromedp.CSS("#upload-name"), "Holiday by the sea"))
	webEval[bool](w, watchProgress)
	w.network(float64(fi.Size())/12, false)
	w.do(chromedp.Click(chromedp.CSS("#upload-start")))
	w.waitUntil("a third of the upload", `document.getElementById('upload-bar').value >= 30`, 30*time.Second)
	w.shot("upload-progress")
	stats := webEval[string](w, `document.getElementById('upload-stats').textContent`)
	if !strings.Contains(stats, "MB/s") || !strings.Contains(stats, "left") {
		t.Errorf("speed and time left = %q", stats)
	}
	seen := webEval[[]float64](w, `window.seenProgress`)
	if len(seen) < 5 || seen[len(seen)-1] <= seen[0] {
		t.Fatalf("the progress bar took the values %v", seen)
	}

	// Reload: picking the same file again offers to resume, and resumes.
	w.do(chromedp.Reload())
	w.waitUntil("the upload page again", `document.getElementById('upload-form')`, 10*time.Second)
	w.do(chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{path}))
	w.waitUntil("the offer to resume", `!document.getElementById('upload-resume').hidden`, 10*time.Second)
	hint := webEval[string](w, `document.getElementById('upload-resume').textContent`)
	t.Logf("after reload: %s", hint)
	webEval[bool](w, watchProgress)
	w.do(chromedp.Click(chromedp.CSS("#upload-start")))
	w.waitUntil("the upload to resume", `window.seenStatus.some(s => s.includes('Resuming the upload at'))`, 10*time.Second)
	if first := webEval[float64](w, `window.seenProgress.find(v => v > 0) || 0`); first < 25 {
		t.Fatalf("after the reload the upload started again at %v %%", first)
	}

	// A dropped connection: the chunk after the one in flight fails, the
	// page waits, then goes on where it was.
	w.waitUntil("half of the upload", `document.getElementById('upload-bar').value >= 50`, 30*time.Second)
	w.network(float64(fi.Size())/12, true)
	w.waitUntil("the drop to be noticed", `window.seenStatus.some(s => s.includes('connection dropped'))`, 20*time.Second)
	w.shot("upload-offline")
	w.network(0, false)
	w.waitUntil("the upload to finish", `document.getElementById('upload-bar').value === 100`, 30*time.Second)
	w.waitUntil("publication", `document.getElementById('upload-status').textContent.includes('published')`, 3*time.Minute)
	w.shot("upload-done")
	watchPath := webEval[string](w, `document.getElementById('upload-watch').getAttribute('href')`)

	// Edit: tags, and chapters with the chapter editor.
	w.do(chromedp.Click(chromedp.CSS("#upload-edit")))
	w.waitUntil("the edit page", `document.getElementById('edit-form') && document.querySelector('#chapter-rows tr')`, 10*time.Second)
	w.do(chromedp.SetValue(chromedp.CSS("#edit-tags"), "sea, holiday"))
	w.do(chromedp.Click(chromedp.CSS(`#edit-form button[type="submit"]`)))
	w.waitUntil("the details to save", `document.querySelector('#edit-form .form-status').textContent === 'Saved.'`, 10*time.Second)
	w.do(chromedp.SendKeys(chromedp.CSS("#chapter-rows tr:nth-child(1) .chapter-time"), "0:00"),
		chromedp.SendKeys(chromedp.CSS("#chapter-rows tr:nth-child(1) .chapter-title"), "Leaving home"),
		chromedp.Click(chromedp.CSS("#chapter-add")))
	if f := w.focused(); f != "INPUT" || !webEval[bool](w, `document.activeElement.classList.contains('chapter-time')`) {
		t.Fatalf("adding a chapter moved the focus to %q, not to its start", f)
	}
	w.keys("0:05")
	w.keys("	")
	w.keys("By the sea")
	w.do(chromedp.Click(chromedp.CSS("#chapter-save")))
	w.waitUntil("the chapters to save", `['Saved.', 'Not saved'].some(s => document.getElementById('chapters-status').textContent.startsWith(s))`, 10*time.Second)
	if st := webEval[string](w, `document.getElementById('chapters-status').textContent`); st != "Saved." {
		t.Fatalf("saving the chapters: %s", st)
	}
	// Captions: a WebVTT file for English.
	vtt := filepath.Join(t.TempDir(), "holiday.en.vtt")
	if err := os.WriteFile(vtt, []byte("WEBVTT\n\n00:00.000 --> 00:03.000\nWe are leaving.\n\n00:05.000 --> 00:08.000\nThe sea!\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.do(chromedp.SetUploadFiles(chromedp.CSS("#caption-file"), []string{vtt}), chromedp.SetValue(chromedp.CSS("#caption-language"), "en"),
		chromedp.Click(chromedp.CSS(`#caption-form button[type="submit"]`)))
	w.waitUntil("the captions to save", `['Captions saved.', 'Not saved'].some(s => document.getElementById('captions-status').textContent.startsWith(s))`, 10*time.Second)
	if st := webEval[string](w, `document.getElementById('captions-status').textContent`); st != "Captions saved." {
		t.Fatalf("adding captions: %s", st)
	}
	if list := webEval[string](w, `document.getElementById('caption-list').innerText`); !strings.Contains(list, "English") {
		t.Fatalf("caption list = %q", list)
	}
	w.shot("edit")

	// Watch: it plays, and a chapter link jumps to its start.
	w.open(watchPath)
	w.waitUntil("the player", `document.getElementById('player')`, 10*time.Second)
	webEval[bool](w, `(() => { const v = document.getElementById('player'); v.muted = true; v.play(); return true })()`)
	w.waitUntil("playback", `document.getElementById('player').currentTime > 0.5`, 60*time.Second)
	w.waitUntil("the chapter list", `document.querySelector('.chapters a[data-time="5"]')`, 10*time.Second)
	w.do(chromedp.Click(chromedp.CSS(`.chapters a[data-time="5"]`)))
	w.waitUntil("the jump to the second chapter", `document.getElementById('player').currentTime >= 5`, 15*time.Second)
	w.shot("watch")

	// Share: a dialog with the link and the embed code, then the embed.
	if webEval[bool](w, `!!document.querySelector('.share-button')`) {
		w.do(chromedp.Click(chromedp.CSS(".share-button")))
		w.waitUntil("the share dialog", `document.getElementById('share-dialog').matches(':popover-open')`, 5*time.Second)
		w.shot("share")
		embed := webEval[string](w, `document.getElementById('share-embed').value`)
		if !strings.Contains(embed, "/videos/embed/") || !strings.Contains(embed, "<iframe") {
			t.Fatalf("embed code = %q", embed)
		}
		w.keys("") // Escape closes it.
	} else {
		t.Log("the watch page has no share button yet")
	}
	uuid := webEval[string](w, `document.getElementById('player').dataset.video`)
	w.open("/videos/embed/" + uuid)
	webEval[bool](w, `(() => { const v = document.getElementById('player'); v.muted = true; v.play(); return true })()`)
	w.waitUntil("the embedded player to play", `document.getElementById('player').currentTime > 0.5`, 60*time.Second)
	w.shot("embed")

	// The home page lists it with its thumbnail and duration, on a
	// computer and on a phone.
	w.open("/")
	w.waitUntil("the home page", `document.querySelector('.video-grid .card img')`, 10*time.Second)
	if d := webEval[string](w, `document.querySelector('.video-grid .duration').textContent`); d != "0:08" {
		t.Errorf("duration on the card = %q", d)
	}
	w.shot("home")
	w.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	w.open("/")
	w.waitUntil("the home page", `document.querySelector('.video-grid .card img')`, 10*time.Second)
	if wide := webEval[bool](w, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Error("the home page scrolls sideways on a phone")
	}
	w.shot("home-phone")
	w.do(chromedp.EmulateViewport(1280, 800))

	// Password protection, set on the edit page...
	w.open("/my/videos")
	w.do(chromedp.Click(chromedp.CSS(`td.actions a.button`)))
	w.waitUntil("the edit page", `document.getElementById('edit-privacy')`, 10*time.Second)
	if !webEval[bool](w, `document.getElementById('edit-passwords').hidden`) {
		t.Fatal("the passwords show for a public video")
	}
	w.do(chromedp.SetValue(chromedp.CSS("#edit-privacy"), "5"))
	webEval[bool](w, `document.getElementById('edit-privacy').dispatchEvent(new Event('change')) || true`)
	w.waitUntil("the password field", `!document.getElementById('edit-passwords').hidden`, 5*time.Second)
	w.do(chromedp.SendKeys(chromedp.CSS("#edit-password-list"), "open sesame"))
	w.do(chromedp.Click(chromedp.CSS(`#edit-form button[type="submit"]`)))
	w.waitUntil("the privacy to save", `['Saved.', 'Not saved'].some(s => document.querySelector('#edit-form .form-status').textContent.startsWith(s))`, 10*time.Second)
	if st := webEval[string](w, `document.querySelector('#edit-form .form-status').textContent`); st != "Saved." {
		t.Fatalf("protecting the video: %s", st)
	}

	// ... and unlocked by a visitor who knows it.
	w.do(chromedp.Click(chromedp.CSS(`.site-nav button.link`)))
	w.waitUntil("the logout", `document.querySelector('.site-nav a[href^="/login"]')`, 10*time.Second)
	w.open(watchPath)
	w.waitUntil("the password form", `document.getElementById('video-password-input')`, 10*time.Second)
	w.shot("password")
	w.do(chromedp.SendKeys(chromedp.CSS("#video-password-input"), "wrong guess\r"))
	w.waitUntil("the refusal", `!document.getElementById('video-password-error').hidden`, 10*time.Second)
	webEval[bool](w, `(() => { const i = document.getElementById('video-password-input'); i.value = ''; i.focus(); return true })()`)
	w.keys("open sesame\r")
	w.waitUntil("the unlocked player", `!document.querySelector('.player-wrap').hidden`, 10*time.Second)
	webEval[bool](w, `(() => { const v = document.getElementById('player'); v.muted = true; v.play(); return true })()`)
	w.waitUntil("the protected video to play", `document.getElementById('player').currentTime > 0.5`, 60*time.Second)
	w.shot("password-unlocked")

	// French: the switch in the header translates the interface.
	w.open("/")
	w.keys("	")
	if f := w.focused(); f != "A" || !webEval[bool](w, `document.activeElement.classList.contains('skip')`) {
		t.Errorf("the first Tab goes to %q, not to the skip link", f)
	}
	w.do(chromedp.Click(chromedp.CSS(`.lang-switch button[value="fr"]`)))
	w.waitUntil("the French interface", `document.documentElement.lang === 'fr'`, 10*time.Second)
	if nav := webEval[string](w, `document.querySelector('.site-nav').innerText`); !strings.Contains(nav, "Parcourir") || !strings.Contains(nav, "Se connecter") {
		t.Fatalf("French navigation = %q", nav)
	}
	w.shot("home-fr")
	w.open("/search?search=sea")
	w.waitUntil("the French search results", `document.querySelector('h1').textContent.includes('Résultats')`, 10*time.Second)
	w.shot("search-fr")
	w.open(watchPath)
	w.waitUntil("the French header on the watch page", `document.querySelector('.site-header').lang === 'fr' && document.querySelector('.site-nav').innerText.includes('Parcourir')`, 10*time.Second)
	w.shot("watch-fr")

	// Administration, in French: users, jobs and runners, settings.
	w.open("/login")
	w.do(chromedp.SendKeys(chromedp.CSS("#login-username"), "root"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), servertest.RootPassword),
		chromedp.Submit(chromedp.CSS("#login-password")))
	w.waitUntil("the home page", `location.pathname === '/' && document.querySelector('.site-nav a[href="/admin/users"]')`, 10*time.Second)
	w.open("/admin/users")
	w.do(chromedp.SendKeys(chromedp.CSS("#new-username"), "carol"), chromedp.SendKeys(chromedp.CSS("#new-email"), "carol@example.org"),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "carol-password"), chromedp.SetValue(chromedp.CSS("#new-quota"), "2"),
		chromedp.Click(chromedp.CSS(`#new-user button[type="submit"]`)))
	w.waitUntil("the new user in the list", `[...document.querySelectorAll('table.list th a')].some(a => a.textContent === 'carol')`, 10*time.Second)
	if q := webEval[string](w, `[...document.querySelectorAll('table.list tr')].find(r => r.innerText.includes('carol')).innerText`); !strings.Contains(q, "2,0 Gio") {
		t.Errorf("carol's row = %q", q)
	}
	w.shot("admin-users")
	w.do(chromedp.Click(chromedp.Search(`//table[contains(@class,"list")]//a[text()="carol"]`)))
	w.waitUntil("carol's page", `document.getElementById('user-blocked')`, 10*time.Second)
	w.do(chromedp.SetValue(chromedp.CSS("#user-role"), "1"), chromedp.Click(chromedp.CSS("#user-blocked")),
		chromedp.Click(chromedp.CSS(`#edit-user button[type="submit"]`)))
	w.waitUntil("carol's changes to save", `document.querySelector('#edit-user .form-status').textContent === 'Enregistré.'`, 10*time.Second)
	w.open("/admin/users")
	if row := webEval[string](w, `[...document.querySelectorAll('table.list tr')].find(r => r.innerText.includes('carol')).innerText`); !strings.Contains(row, "Bloqué") || !strings.Contains(row, "Modérateur") {
		t.Errorf("carol's row after blocking = %q", row)
	}
	w.open("/admin/jobs?state=completed")
	w.waitUntil("the completed job", `document.querySelector('table.jobs') && document.querySelector('table.jobs').innerText.includes('Holiday by the sea')`, 10*time.Second)
	if n := webEval[int](w, `document.querySelectorAll('table.list')[0].tBodies[0].rows.length`); n != 1 {
		t.Errorf("%d runners listed, want the embedded worker", n)
	}
	w.shot("admin-jobs")
	w.open("/admin/settings")
	w.do(chromedp.SetValue(chromedp.CSS("#settings-name"), "Vidéos du bord de mer"), chromedp.Click(chromedp.CSS("#settings-signup")),
		chromedp.Click(chromedp.CSS(`#settings-form button[type="submit"]`)))
	w.waitUntil("the new name", `document.querySelector('.brand').textContent === 'Vidéos du bord de mer' && document.getElementById('settings-signup').checked`, 10*time.Second)
	w.shot("admin-settings")

	// An administrator deletes the video from its edit page, after
	// confirming.
	w.open("/my/videos/" + strings.TrimPrefix(watchPath, "/w/") + "/edit")
	webEval[bool](w, `(() => { window.confirm = () => true; return true })()`)
	w.do(chromedp.Click(chromedp.CSS(".danger-zone button.danger")))
	w.waitUntil("the list of videos", `location.pathname === '/my/videos'`, 10*time.Second)
	w.open(watchPath)
	w.waitUntil("the page", `document.body && document.body.innerText.length > 0`, 10*time.Second)
	if webEval[bool](w, `!!document.getElementById('player')`) {
		t.Fatal("the deleted video still has a player")
	}
}

// The watch page, with its scripts, styles and images, weighs less than
// 1 MB on the wire; the video itself (playlists and segments) is left
// out.
func TestWatchPageWeight(t *testing.T) {
	ctx := browser(t)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, servertest.Clip(t), "Light page")
	if v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 1, 7); v.State.ID != 1 {
		t.Fatalf("transcoding failed: %s", v.StateReason)
	}
	w := newWebTab(t, ctx, s.URL)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	// What each request carried over the network, by URL.
	var mu sync.Mutex
	urls := map[network.RequestID]string{}
	weight := map[network.RequestID]float64{}
	evCtx, stop := context.WithCancel(ctx)
	defer stop()
	err := chromedp.Listen(evCtx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventResponseReceived:
			urls[e.RequestID] = e.Response.URL
		case *network.EventLoadingFinished:
			weight[e.RequestID] = e.EncodedDataLength
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	w.open("/w/" + up.Video.ShortUUID)
	webEval[bool](w, `(() => { const v = document.getElementById('player'); v.muted = true; v.play(); return true })()`)
	w.waitUntil("playback", `document.getElementById('player').currentTime > 1`, time.Minute)
	stop()
	mu.Lock()
	defer mu.Unlock()
	var total float64
	for id, bytes := range weight {
		u := urls[id]
		if strings.Contains(u, "/static/streaming-playlists/") || strings.HasPrefix(u, "data:") {
			continue
		}
		t.Logf("%8.0f B  %s", bytes, u)
		total += bytes
	}
	t.Logf("the watch page weighs %.0f KB", total/1000)
	if total == 0 || total >= 1e6 {
		t.Fatalf("the watch page weighs %.0f bytes, want under 1 MB", total)
	}
}

// An administrator sees a failed job with its error on the jobs page, and
// retries it from there.
func TestWebRetryFailedJob(t *testing.T) {
	ctx := browser(t)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding, func(c *config.Config) { c.Transcoding.MaxAttempts = 1 })
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, servertest.CorruptClip(t, servertest.Clip(t)), "Broken inside")
	if v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 1, 7); v.State.ID != 7 {
		t.Fatalf("the corrupt clip was published")
	}
	w := newWebTab(t, ctx, s.URL)
	w.open("/login?next=/admin/jobs%3Fstate%3Dfailed")
	w.do(chromedp.SendKeys(chromedp.CSS("#login-username"), "root"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), servertest.RootPassword+"\r"))
	w.waitUntil("the failed job", `document.querySelector('table.jobs tr.job-failed')`, 10*time.Second)
	if e := webEval[string](w, `document.querySelector('table.jobs tr.job-failed .error-text').textContent`); e == "" {
		t.Fatal("the failed job shows no error")
	}
	w.shot("admin-jobs-failed")
	webEval[bool](w, `(() => { window.beforeRetry = true; return true })()`)
	w.do(chromedp.Click(chromedp.CSS("table.jobs tr.job-failed button")))
	// The page reloads once the retry is accepted.
	w.waitUntil("the reload after the retry", `!window.beforeRetry && document.querySelector('h1')`, 10*time.Second)
	servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 7)
}
