package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

// heldTranscoding starts a server whose jobs wait in Redis until the
// test starts a runner (startRunner), so pages can be seen while videos
// are still being transcoded.
func heldTranscoding(t *testing.T) *servertest.Server {
	t.Helper()
	port := freePort(t)
	startRedis(t, port)
	return servertest.Start(t, servertest.SQLite, servertest.FastTranscoding, func(c *config.Config) {
		c.RedisURL = redisURLFor(port)
		c.Transcoding.Workers = 0
		c.Transcoding.ClaimIdle = 3 * time.Second
	})
}

// uploadAs uploads a clip to the client's channel with extra form fields.
func uploadAs(t *testing.T, c *servertest.Client, path, name string, extra map[string][]string) servertest.UploadedVideo {
	t.Helper()
	form := map[string][]string{"name": {name}, "channelId": {strconv.FormatInt(c.Channel(), 10)}}
	for k, v := range extra {
		form[k] = v
	}
	var up servertest.UploadedVideo
	c.Upload(path, form).Expect(http.StatusOK).JSON(&up)
	return up
}

// logIn signs the browser in through the login form.
func (w *webTab) logIn(username, password string) {
	w.t.Helper()
	w.open("/login")
	w.do(chromedp.SendKeys(chromedp.CSS("#login-username"), username),
		chromedp.SendKeys(chromedp.CSS("#login-password"), password+"\r"))
	w.waitUntil("the session", `location.pathname !== '/login' && document.querySelector('.site-nav button.link')`, 10*time.Second)
}

// The watch page of a video still being transcoded shows its progress,
// then plays the video in place once it is published, without a reload:
// for a private video, whose files need a token, and a password-protected
// one, seen by their owner. The owner of a video that failed reads why.
func TestWatchPageWaitsForTranscoding(t *testing.T) {
	ctx := browser(t)
	s := heldTranscoding(t)
	owner := s.NewUser(t, 2, -1)
	private := uploadAs(t, owner, clip(t, 20), "Still private", map[string][]string{"privacy": {"3"}})
	protected := uploadAs(t, owner, clip(t, 6), "Still secret", map[string][]string{"privacy": {"5"}, "videoPasswords[]": {"open sesame"}})
	broken := uploadAs(t, owner, servertest.CorruptClip(t, servertest.Clip(t)), "Never ready", nil)

	// One tab per video, in the owner's browser.
	first := newWebTab(t, ctx, s.URL)
	first.logIn(owner.Username, owner.Password)
	tabs := map[string]*webTab{private.Video.ShortUUID: first}
	for _, up := range []servertest.UploadedVideo{protected, broken} {
		tab, closeTab := chromedp.NewContext(ctx)
		t.Cleanup(closeTab)
		tabs[up.Video.ShortUUID] = newWebTab(t, tab, s.URL)
	}
	for id, w := range tabs {
		w.open("/w/" + id)
		w.waitUntil("the transcoding notice", `document.querySelector('[data-transcoding] #transcoding-bar')`, 10*time.Second)
		// Marks the document: a reload or a navigation would lose it.
		webEval[bool](w, `(() => {
			window.sameDocument = true; window.seenNotices = [];
			new MutationObserver(() => window.seenNotices.push(document.getElementById('transcoding-text')?.textContent || ''))
				.observe(document.getElementById('transcoding-text'), {childList: true, characterData: true, subtree: true});
			return true })()`)
	}
	first.shot("transcoding")

	startRunner(t, s.Config.RedisURL, "runner-a")
	for _, up := range []servertest.UploadedVideo{private, protected} {
		w := tabs[up.Video.ShortUUID]
		w.waitUntil("the player to start by itself", `window.sameDocument && document.getElementById('player')?.currentTime > 1`, 3*time.Minute)
		if errs := webEval[[]string](w, `(window.cuttlePlayerErrors || []).filter(e => !e.recovering).map(e => String(e.details))`); len(errs) > 0 {
			t.Fatalf("%s: the player reported errors: %v", up.Video.ShortUUID, errs)
		}
		src := webEval[string](w, `document.getElementById('player').dataset.src`)
		if !strings.Contains(src, "videoFileToken=") {
			t.Errorf("the playlist of a video that is not public has no file token: %s", src)
		}
		if title := webEval[string](w, `document.title`); !strings.HasSuffix(title, "· Cuttle") || !strings.HasPrefix(title, "Still ") {
			t.Errorf("title after the switch = %q", title)
		}
		if webEval[bool](w, `!!document.querySelector('[data-transcoding]')`) {
			t.Error("the transcoding notice is still shown")
		}
	}
	first.shot("switched")
	// The 20-second clip takes a while: its page showed the job's progress.
	seen := webEval[[]string](first, `window.seenNotices`)
	if !strings.Contains(strings.Join(seen, "\n"), "%") {
		t.Errorf("the page showed no progress, only %q", seen)
	}

	w := tabs[broken.Video.ShortUUID]
	w.waitUntil("the failure notice", `window.sameDocument && document.querySelector('.notice') && !document.querySelector('[data-transcoding]')`, 3*time.Minute)
	if n := webEval[string](w, `document.querySelector('.notice').textContent`); !strings.Contains(n, "could not be transcoded") {
		t.Fatalf("the failed video's notice says %q", n)
	}
	if webEval[bool](w, `!!document.getElementById('player')`) {
		t.Fatal("the failed video has a player")
	}
}
