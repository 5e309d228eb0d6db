package e2e

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cuttle.video/player/bundle"
	"cuttle.video/server/servertest"
)

// browser starts headless Debian Chromium for one test, with extra
// command-line options when given.
func browser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("chromium is not installed (scripts/deps.sh test installs it)")
		}
		t.Skip("chromium is not installed; run through make test")
	}
	if !bundle.Built() {
		t.Fatal(bundle.ErrNotBuilt)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func TestWatchPagePlays(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		ctx := browser(t)
		s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
		up := publishedClip(t, s)
		plays(t, ctx, s.URL+"/w/"+up.ShortUUID)
	})
	// On S3 every segment is a redirect to the bucket, another origin:
	// the page plays only if the bucket answers it with CORS headers.
	t.Run("s3-replicas", func(t *testing.T) {
		ctx := browser(t)
		a, b := twoReplicas(t)
		up := publishedClip(t, a)
		for _, s := range []*servertest.Server{a, b} {
			plays(t, ctx, s.URL+"/w/"+up.ShortUUID)
		}
	})
}

// publishedClip uploads a 10 s 720p clip to s and waits until it plays.
func publishedClip(t *testing.T, s *servertest.Server) videoState {
	t.Helper()
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, clip(t, 10), "Watch me")
	v := servertest.WaitVideo[videoState](t, user, up.Video.UUID, 3*time.Minute, 1, 7)
	if v.State.ID != 1 {
		t.Fatalf("transcoding failed: %s", v.StateReason)
	}
	return v
}

// plays opens a watch page in a new tab of the browser and checks that
// the video plays with its five renditions in the quality menu.
func plays(t *testing.T, browser context.Context, watch string) {
	t.Helper()
	tab, closeTab := chromedp.NewContext(browser)
	defer closeTab()
	runCtx, cancel := context.WithTimeout(tab, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(runCtx, chromedp.Navigate(watch)); err != nil {
		t.Fatalf("open the watch page %s: %v", watch, err)
	}
	title, err := chromedp.Run(runCtx, chromedp.Evaluate[string](`document.title`))
	if err != nil || title != "Watch me · Cuttle" {
		t.Fatalf("page title = %q (%v)", title, err)
	}
	if _, err := chromedp.Run(runCtx, chromedp.Evaluate[bool](
		`(() => { const v = document.getElementById('player'); v.muted = true; v.play(); return true })()`)); err != nil {
		t.Fatalf("start playback: %v", err)
	}
	type playerState struct {
		Time   float64  `json:"time"`
		Errors []string `json:"errors"`
	}
	const probe = `({time: document.getElementById('player').currentTime,
		errors: (window.cuttlePlayerErrors || []).map(e => String(e.details || e.message || e))})`
	deadline := time.Now().Add(90 * time.Second)
	for {
		state, err := chromedp.Run(runCtx, chromedp.Evaluate[playerState](probe))
		if err != nil {
			t.Fatalf("read the player: %v", err)
		}
		if len(state.Errors) > 0 {
			t.Fatalf("%s: the player reported errors: %v", watch, state.Errors)
		}
		if state.Time > 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: playback stuck at %.2f s", watch, state.Time)
		}
		time.Sleep(250 * time.Millisecond)
	}
	levels, err := chromedp.Run(runCtx, chromedp.Evaluate[int](`document.querySelectorAll('#quality option').length`))
	if err != nil {
		t.Fatal(err)
	}
	if levels != 6 {
		t.Fatalf("quality menu has %d entries, want Auto and 5 renditions", levels)
	}
}
