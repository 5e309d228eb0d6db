package e2e

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cuttle.video/server/servertest"
)

// The watch page of a password-protected video shows nothing of it
// until the viewer types a right password, then plays it.
func TestWatchPagePassword(t *testing.T) {
	ctx := browser(t)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	owner := s.NewUser(t, 2, -1)
	var up servertest.UploadedVideo
	owner.Upload(clip(t, 6), map[string][]string{
		"name": {"Secret film"}, "channelId": {strconv.FormatInt(owner.Channel(), 10)},
		"privacy": {"5"}, "videoPasswords[]": {"open sesame"},
	}).Expect(http.StatusOK).JSON(&up)
	if v := servertest.WaitVideo[videoState](t, owner, up.Video.UUID, 3*time.Minute, 1, 7); v.State.ID != 1 {
		t.Fatalf("transcoding failed: %s", v.StateReason)
	}

	runCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(runCtx, chromedp.Navigate(s.URL+"/w/"+up.Video.ShortUUID)); err != nil {
		t.Fatalf("open the watch page: %v", err)
	}
	eval := func(js string) string {
		t.Helper()
		out, err := chromedp.Run(runCtx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return out
	}
	if title := eval(`document.title`); title != "Password-protected video · Cuttle" {
		t.Fatalf("title before the password = %q", title)
	}
	if eval(`String(document.body.innerText.includes('Secret film'))`) != "false" {
		t.Fatal("the page shows the video's name before the password")
	}
	submit := func(password string) {
		t.Helper()
		eval(`(() => { document.getElementById('video-password-input').value = ` + strconv.Quote(password) + `;
			document.getElementById('video-password').requestSubmit(); return '' })()`)
	}
	waitFor := func(what, js string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for eval(js) != "true" {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not reached", what)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	submit("not it")
	waitFor("the wrong password is refused", `(() => { const e = document.getElementById('video-password-error');
		return String(!e.hidden && e.textContent.includes('not right')) })()`)
	if eval(`String(document.getElementById('player').closest('.player-wrap').hidden)`) != "true" {
		t.Fatal("the player shows after a wrong password")
	}

	submit("open sesame")
	waitFor("the video unlocks", `String(!!document.getElementById('player').dataset.src)`)
	eval(`(() => { const v = document.getElementById('player'); v.muted = true; v.play(); return '' })()`)
	waitFor("playback passes 2 s", `(() => { const errs = (window.cuttlePlayerErrors || []).filter(e => !e.recovering);
		if (errs.length) throw new Error('player errors: ' + errs.map(e => e.details).join(', '));
		return String(document.getElementById('player').currentTime > 2) })()`)
	if title := eval(`document.title`); title != "Secret film · Cuttle" {
		t.Fatalf("title after the password = %q", title)
	}
}
