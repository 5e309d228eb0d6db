package storyboard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"os"
	"os/exec"
	"strings"
	"time"

	"cuttle.video/transcoder/job"
)

// waitDelay bounds how long Run waits for ffmpeg's pipes after it was
// killed.
const waitDelay = 5 * time.Second

// Options tunes Run; the zero value is usable.
type Options struct {
	// FFmpeg is the binary, found in PATH when empty.
	FFmpeg string
	// Threads is ffmpeg's -threads; 0 lets ffmpeg choose.
	Threads int
}

// ErrNoPicture is returned when ffmpeg found no frame to draw, as with a
// file that holds no video.
var ErrNoPicture = errors.New("storyboard: the input has no picture")

// Run draws the sheet of l from input into output and checks the result
// is a JPEG of the planned size. Cancelling ctx kills ffmpeg.
func Run(ctx context.Context, input, output string, l job.SpriteLayout, opt Options) error {
	if l.SpriteWidth <= 0 || l.SpriteHeight <= 0 || l.SpriteDuration <= 0 || l.Columns <= 0 || l.Rows <= 0 ||
		l.Columns > MaxEdge || l.Rows > MaxEdge || l.Sprites > l.Columns*l.Rows {
		return fmt.Errorf("storyboard: layout %+v is not drawable", l)
	}
	bin := opt.FFmpeg
	if bin == "" {
		bin = "ffmpeg"
	}
	if err := os.Remove(output); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("storyboard: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, Args(input, output, l, opt.Threads)...)
	cmd.WaitDelay = waitDelay
	var stderr tail
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("storyboard: %w", ctx.Err())
		}
		msg := strings.NewReplacer(input, "input", output, "output").Replace(stderr.String())
		return fmt.Errorf("storyboard: ffmpeg: %w: %s", err, msg)
	}
	return check(output, l)
}

// check opens the sheet ffmpeg wrote: it writes nothing, and succeeds,
// when the input has no frame.
func check(path string, l job.SpriteLayout) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return ErrNoPicture
	}
	if err != nil {
		return fmt.Errorf("storyboard: %w", err)
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil {
		return fmt.Errorf("storyboard: the sheet is not a JPEG: %w", err)
	}
	if cfg.Width != l.TotalWidth() || cfg.Height != l.TotalHeight() {
		return fmt.Errorf("storyboard: the sheet is %dx%d, want %dx%d", cfg.Width, cfg.Height, l.TotalWidth(), l.TotalHeight())
	}
	return nil
}

// tail keeps the last bytes ffmpeg wrote to stderr, which say why it
// stopped.
type tail struct{ b []byte }

const tailSize = 2048

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailSize {
		t.b = t.b[len(t.b)-tailSize:]
	}
	return len(p), nil
}

func (t *tail) String() string { return string(bytes.TrimSpace(t.b)) }
