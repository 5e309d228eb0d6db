package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The clip both transcoding benchmarks work on: 720p is the most common
// size of an upload that still gets a ladder of several rungs, and 30 s
// makes 8 segments of each rendition, enough for steady encoder speed.
const (
	clipSize    = "1280x720"
	clipRate    = "30"
	clipSeconds = "30"
)

// ensureClip makes the benchmark clip at path unless it is there from an
// earlier run. The source is encoded the way a camera or phone would,
// H.264 and AAC at a high quality, so that decoding it costs what
// decoding an upload does.
func ensureClip(ctx context.Context, path string, log io.Writer) error {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	fmt.Fprintf(log, "generating %s (once)\n", path)
	// Written under another name first, so an interrupted run leaves
	// nothing that looks finished.
	tmp := strings.TrimSuffix(path, filepath.Ext(path)) + ".partial.mp4"
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size="+clipSize+":rate="+clipRate,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", clipSeconds,
		"-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-g", "60",
		"-c:a", "aac", "-b:a", "192k", "-ac", "2",
		"-movflags", "+faststart", tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("generate %s: %w: %s", path, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return os.Rename(tmp, path)
}

// errOutput keeps the end of a child's stderr for the error it makes when
// it fails; the start is ffmpeg's banner and settings.
type errOutput struct{ buf bytes.Buffer }

const errOutputMax = 4 << 10

func (e *errOutput) Write(p []byte) (int, error) {
	e.buf.Write(p)
	if n := e.buf.Len(); n > 2*errOutputMax {
		e.buf.Next(n - errOutputMax)
	}
	return len(p), nil
}

func (e *errOutput) wrap(err error) error {
	if err == nil {
		return nil
	}
	if msg := bytes.TrimSpace(e.buf.Bytes()); len(msg) > 0 {
		return fmt.Errorf("%w: %s", err, msg)
	}
	return err
}

// freshDir empties dir, creating it if needed, so that each run writes
// into an empty directory as a transcoding job does.
func freshDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}
