package storyboard

import (
	"testing"

	"cuttle.video/transcoder/job"
)

func TestPlan(t *testing.T) {
	cases := []struct {
		name          string
		duration      float64
		width, height int
		want          job.SpriteLayout
	}{
		{"ten seconds 16:9", 10, 1280, 720,
			job.SpriteLayout{SpriteWidth: 192, SpriteHeight: 108, SpriteDuration: 1, Sprites: 10, Columns: 10, Rows: 1}},
		{"fractional seconds", 10.4, 1920, 1080,
			job.SpriteLayout{SpriteWidth: 192, SpriteHeight: 108, SpriteDuration: 1, Sprites: 11, Columns: 6, Rows: 2}},
		{"4:3", 50, 320, 240,
			job.SpriteLayout{SpriteWidth: 192, SpriteHeight: 144, SpriteDuration: 1, Sprites: 50, Columns: 10, Rows: 5}},
		{"portrait", 20, 720, 1280,
			job.SpriteLayout{SpriteWidth: 108, SpriteHeight: 192, SpriteDuration: 1, Sprites: 20, Columns: 10, Rows: 2}},
		{"one hundred seconds", 100, 1280, 720,
			job.SpriteLayout{SpriteWidth: 192, SpriteHeight: 108, SpriteDuration: 1, Sprites: 100, Columns: 10, Rows: 10}},
		{"two hours", 7200, 1280, 720,
			job.SpriteLayout{SpriteWidth: 192, SpriteHeight: 108, SpriteDuration: 72, Sprites: 100, Columns: 10, Rows: 10}},
		{"just over", 101, 1280, 720,
			job.SpriteLayout{SpriteWidth: 192, SpriteHeight: 108, SpriteDuration: 2, Sprites: 51, Columns: 9, Rows: 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Plan(c.duration, c.width, c.height)
			if !ok || got != c.want {
				t.Fatalf("Plan(%v, %d, %d) = %+v, %v; want %+v", c.duration, c.width, c.height, got, ok, c.want)
			}
			if got.Sprites > got.Columns*got.Rows || got.Sprites > MaxEdge*MaxEdge {
				t.Fatalf("%d sprites do not fit %dx%d", got.Sprites, got.Columns, got.Rows)
			}
		})
	}
}

func TestPlanRefusesShortAndPictureless(t *testing.T) {
	if _, ok := Plan(2.9, 1280, 720); ok {
		t.Error("a video under three seconds got a storyboard")
	}
	if _, ok := Plan(60, 0, 0); ok {
		t.Error("a sound got a storyboard")
	}
}
