package job

import "cuttle.video/storage"

// StoryboardPayload asks for the sprite sheet of a transcoded video:
// small pictures taken every SpriteDuration seconds, laid out in a grid
// in one JPEG, which players show above the seek bar.
type StoryboardPayload struct {
	// InputURLs are presigned GETs of one rendition's fragmented MP4 or,
	// in the layout before it, of its initialisation segment followed by
	// its media segments: joined, they make one fragmented MP4 file. The
	// server picks a small rendition, so the worker downloads and decodes
	// little.
	InputURLs []string `json:"inputUrls"`
	// Duration is the video's, in seconds.
	Duration float64      `json:"duration"`
	Layout   SpriteLayout `json:"layout"`
	// File names the sprite sheet, relative to the video's directory;
	// Upload lets the worker write it into a staging area, from which the
	// server publishes it.
	File   string        `json:"file"`
	Upload storage.Grant `json:"upload"`
}

// SpriteLayout is the geometry of a sprite sheet. Sprites fill the grid
// row by row; cells past Sprites stay black.
type SpriteLayout struct {
	SpriteWidth  int `json:"spriteWidth"`
	SpriteHeight int `json:"spriteHeight"`
	// SpriteDuration is the time between two sprites, in whole seconds.
	SpriteDuration int `json:"spriteDuration"`
	Sprites        int `json:"sprites"`
	Columns        int `json:"columns"`
	Rows           int `json:"rows"`
}

// TotalWidth and TotalHeight are the sheet's size in pixels.
func (l SpriteLayout) TotalWidth() int  { return l.Columns * l.SpriteWidth }
func (l SpriteLayout) TotalHeight() int { return l.Rows * l.SpriteHeight }

// StoryboardResult is what a finished Storyboard job produced.
type StoryboardResult struct {
	// File is the sprite sheet's name, as the payload gave it.
	File   string       `json:"file"`
	Layout SpriteLayout `json:"layout"`
	Size   int64        `json:"size"`
}
