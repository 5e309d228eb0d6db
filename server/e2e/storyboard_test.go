package e2e

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"testing"
	"time"

	"cuttle.video/server/servertest"
)

type storyboards struct {
	Storyboards []struct {
		StoryboardPath string `json:"storyboardPath"`
		FileURL        string `json:"fileUrl"`
		TotalWidth     int    `json:"totalWidth"`
		TotalHeight    int    `json:"totalHeight"`
		SpriteWidth    int    `json:"spriteWidth"`
		SpriteHeight   int    `json:"spriteHeight"`
		SpriteDuration int    `json:"spriteDuration"`
	} `json:"storyboards"`
}

// checkStoryboard waits for the storyboard job that follows a published
// 16:9 video of about the given seconds (at most 100) and checks what the
// API says of it against the image it serves: a sprite of 192x108 per
// second, in rows of at most ten.
func checkStoryboard(t *testing.T, c *servertest.Client, uuid string, seconds int) {
	t.Helper()
	var sb storyboards
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c.Do("GET", "/api/v1/videos/"+uuid+"/storyboards", nil).Expect(http.StatusOK).JSON(&sb)
		if len(sb.Storyboards) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no storyboard two minutes after publishing")
		}
		time.Sleep(200 * time.Millisecond)
	}
	got := sb.Storyboards[0]
	cols, rows := got.TotalWidth/192, got.TotalHeight/108
	if got.StoryboardPath != "/lazy-static/storyboards/"+uuid+".jpg" || got.SpriteWidth != 192 || got.SpriteHeight != 108 ||
		got.SpriteDuration != 1 || got.TotalWidth%192 != 0 || got.TotalHeight%108 != 0 ||
		cols > 10 || cols*rows < seconds || cols*rows > seconds+cols {
		t.Fatalf("storyboard = %+v, want a sprite of 192x108 per second of %d", got, seconds)
	}
	for _, u := range []string{got.FileURL, resolve(t, got.FileURL, got.StoryboardPath)} {
		img := get(t, u)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(img))
		if err != nil || cfg.Width != got.TotalWidth || cfg.Height != got.TotalHeight {
			t.Fatalf("%s: %dx%d JPEG (%v), want %dx%d", u, cfg.Width, cfg.Height, err, got.TotalWidth, got.TotalHeight)
		}
	}
}
