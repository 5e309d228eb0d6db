// Package storyboard makes the sprite sheet of a video: one JPEG holding
// small pictures taken at regular times, laid out in a grid, which
// players show above the seek bar. Plan chooses the geometry from the
// video's duration and shape; Run draws the sheet with one ffmpeg
// process.
package storyboard

import (
	"math"

	"cuttle.video/transcoder/job"
)

const (
	// SpriteMaxSize is the longer side of a sprite, in pixels: 192x108
	// for a 16:9 video, as PeerTube's players expect.
	SpriteMaxSize = 192
	// MaxEdge bounds the grid at MaxEdge x MaxEdge sprites, so a sheet
	// holds at most 100 of them.
	MaxEdge = 10
	// MinDuration is the shortest video worth a storyboard, in seconds.
	MinDuration = 3
)

// Plan returns the layout of the sprite sheet of a video of the given
// duration whose picture is width x height, or false when the video is
// too short or has no picture. Sprites are one second apart, or further
// apart so that there are at most MaxEdge² of them; the grid is the one
// with the fewest rows that holds them all.
func Plan(duration float64, width, height int) (job.SpriteLayout, bool) {
	if duration < MinDuration || width <= 0 || height <= 0 {
		return job.SpriteLayout{}, false
	}
	l := job.SpriteLayout{SpriteWidth: SpriteMaxSize, SpriteHeight: SpriteMaxSize}
	if width >= height {
		l.SpriteHeight = evenRound(float64(SpriteMaxSize) * float64(height) / float64(width))
	} else {
		l.SpriteWidth = evenRound(float64(SpriteMaxSize) * float64(width) / float64(height))
	}
	most := min(int(math.Ceil(duration)), MaxEdge*MaxEdge)
	l.SpriteDuration = int(math.Ceil(duration / float64(most)))
	l.Sprites = int(math.Ceil(duration / float64(l.SpriteDuration)))
	l.Columns, l.Rows = grid(l.Sprites)
	return l, true
}

// grid finds the fewest rows, then the fewest columns (at least as many
// as rows), that hold n cells; n is at most MaxEdge².
func grid(n int) (cols, rows int) {
	for rows = 1; rows <= MaxEdge; rows++ {
		for cols = rows; cols <= MaxEdge; cols++ {
			if rows*cols >= n {
				return cols, rows
			}
		}
	}
	return MaxEdge, MaxEdge
}

// evenRound rounds to the nearest even number, at least 2: chroma
// subsampling works on pairs of pixels.
func evenRound(f float64) int {
	return max(2, 2*int(math.Round(f/2)))
}
