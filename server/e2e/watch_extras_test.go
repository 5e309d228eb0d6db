package e2e

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cuttle.video/server/servertest"
)

// The watch page lists the chapters (clicking one seeks), gives the
// player their WebVTT track, and offers the captions, which the player
// finds in the master playlist.
func TestWatchPageChaptersAndCaptions(t *testing.T) {
	ctx := browser(t)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, clip(t, 6), "Chapters and captions")
	user.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{
		"description": "00:00 Opening\n00:04 Closing\n\nA test video.",
	}).Expect(http.StatusNoContent)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("captionfile", "en.srt")
	_, _ = fw.Write([]byte("1\n00:00:00,000 --> 00:00:06,000\nHello from the captions\n"))
	_ = mw.Close()
	user.Raw("PUT", "/api/v1/videos/"+up.Video.UUID+"/captions/en", &body,
		http.Header{"Content-Type": {mw.FormDataContentType()}}).Expect(http.StatusNoContent)
	if v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 1, 7); v.State.ID != 1 {
		t.Fatalf("transcoding failed: %s", v.StateReason)
	}

	runCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(runCtx, chromedp.Navigate(s.URL+"/w/"+up.Video.ShortUUID)); err != nil {
		t.Fatalf("open the watch page: %v", err)
	}
	do := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(runCtx, chromedp.Evaluate[bool](js)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	strs := func(what, js string) []string {
		t.Helper()
		out, err := chromedp.Run(runCtx, chromedp.Evaluate[[]string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return out
	}
	// until evaluates js every 100 ms until it is true.
	until := func(what, js string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			ok, err := chromedp.Run(runCtx, chromedp.Evaluate[bool](js))
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				errs := strs("player errors", `(window.cuttlePlayerErrors || []).map(e => String(e.details || e.message || e))`)
				t.Fatalf("%s: not after 60 s (player errors: %v)", what, errs)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	chapters := strs("chapter list", `[...document.querySelectorAll('nav.chapters a')].map(a => a.textContent.trim())`)
	if len(chapters) != 2 || chapters[0] != "00:00 Opening" || chapters[1] != "00:04 Closing" {
		t.Fatalf("chapter list = %q", chapters)
	}
	// The chapters track loads its cues once a player asks for them.
	do("chapters track", `(() => { const t = [...document.getElementById('player').textTracks].find(t => t.kind === 'chapters'); if (t) t.mode = 'hidden'; return !!t })()`)
	until("chapter cues", `(() => { const t = [...document.getElementById('player').textTracks].find(t => t.kind === 'chapters');
		return !!t && !!t.cues && t.cues.length === 2 && t.cues[1].text === 'Closing' && t.cues[1].startTime === 4 })()`)
	// Clicking a chapter seeks there.
	do("mute", `(() => { const v = document.getElementById('player'); v.muted = true; return true })()`)
	do("click a chapter", `(() => { document.querySelectorAll('nav.chapters a')[1].click(); return true })()`)
	until("seek to the chapter", `(() => { const v = document.getElementById('player'); return v.currentTime >= 4 })()`)
	until("current chapter", `document.querySelectorAll('nav.chapters a')[1].getAttribute('aria-current') === 'true'`)

	// The subtitle menu offers the caption; choosing it shows the track
	// the player made from the master playlist, with its cues.
	options := strs("subtitle menu", `[...document.querySelectorAll('#subtitles option')].map(o => o.value + ':' + o.textContent)`)
	if len(options) != 2 || options[1] != "en:English" {
		t.Fatalf("subtitle menu = %q", options)
	}
	until("subtitle track from the master playlist", `[...document.getElementById('player').textTracks].some(t => t.kind === 'subtitles' && t.language === 'en')`)
	do("choose English", `(() => { const s = document.getElementById('subtitles'); s.value = 'en'; s.dispatchEvent(new Event('change')); return true })()`)
	until("subtitle cues", `(() => { const t = [...document.getElementById('player').textTracks].find(t => t.kind === 'subtitles' && t.language === 'en');
		return t.mode === 'showing' && !!t.cues && [...t.cues].some(c => c.text === 'Hello from the captions') })()`)

	link := strs("caption download", `[document.querySelector('.caption-files a').getAttribute('href')]`)[0]
	if got := get(t, s.URL+link); !bytes.HasPrefix(got, []byte("WEBVTT")) {
		t.Fatalf("caption download %s: %q", link, got)
	}
}
