package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"cuttle.video/transcoder/job"
)

// Still is one of a video's still images: its file name and its size.
// Both are 16:9, the shape of the video player and of the cards that list
// videos, and PeerTube's sizes, which its apps lay out for.
type Still struct {
	File          string
	Width, Height int
	// Fill covers the whole size, cropping what overflows, as avatars
	// and banners are shown; otherwise the picture is letterboxed, so
	// nothing of a video's frame is lost.
	Fill bool
}

var (
	Thumbnail = Still{File: job.ThumbnailFile, Width: 280, Height: 157}
	Preview   = Still{File: job.PreviewFile, Width: 850, Height: 480}
)

func (s Still) size() string { return strconv.Itoa(s.Width) + "x" + strconv.Itoa(s.Height) }

const (
	// shortVideo is the duration under which the first frame is taken: a
	// frame a third into a clip this short is barely different, and a
	// seek near the end of a short file can find no frame at all.
	shortVideo = 3.0
	// waveColor draws audio waveforms, light on the black background that
	// the transparent parts of showwavespic's picture become in a JPEG.
	waveColor = "0x7fb3ff"
	// jpegQuality is ffmpeg's mjpeg scale, 2 (best) to 31.
	jpegQuality = "3"
)

// Images writes the thumbnail and the preview into outDir: a frame a
// third into a video, letterboxed so that nothing of a portrait or square
// picture is cut, or the waveform of a sound. The server takes a video's
// images with it as soon as an original arrives, and transcodings with it
// again, so both follow one rule.
func Images(ctx context.Context, ffmpeg, input, outDir string, video bool, duration float64) error {
	if !video {
		return images(ctx, ffmpeg, input, outDir, nil,
			"[0:a:0]showwavespic=s="+Preview.size()+":colors="+waveColor+",split=2[t][p];"+
				"[t]scale="+strings.Replace(Thumbnail.size(), "x", ":", 1)+",format=rgb24[thumb];"+
				"[p]format=rgb24[preview]")
	}
	graph := "[0:V:0]split=2[t][p];[t]" + letterbox(Thumbnail.size()) + "[thumb];[p]" + letterbox(Preview.size()) + "[preview]"
	at := 0.0
	if duration >= shortVideo {
		at = duration / 3
	}
	err := images(ctx, ffmpeg, input, outDir, []string{"-ss", strconv.FormatFloat(at, 'f', 3, 64)}, graph)
	if errors.Is(err, errNoFrame) && at > 0 {
		// The duration may be longer than the frames, in a file whose
		// audio outlasts its video.
		err = images(ctx, ffmpeg, input, outDir, nil, graph)
	}
	return err
}

var errNoFrame = errors.New("pipeline: images: no frame at that time")

// FitPicture writes pic as the still image s into outDir, letterboxed as
// the frames Images takes, or filling s when it says so. ffmpeg gets raw pixels, never a file format to
// parse: pictures from people are decoded by the caller, in Go.
func FitPicture(ctx context.Context, ffmpeg string, pic image.Image, s Still, outDir string) error {
	b := pic.Bounds()
	// Premultiplied: transparent parts turn black, as the padding is.
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), pic, b.Min, draw.Src)
	out := filepath.Join(outDir, s.File)
	if err := os.Remove(out); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pipeline: picture: %w", err)
	}
	cmd := exec.CommandContext(ctx, ffmpeg, "-y", "-v", "error",
		"-f", "rawvideo", "-pix_fmt", "rgba", "-s", strconv.Itoa(b.Dx())+"x"+strconv.Itoa(b.Dy()), "-i", "-",
		"-vf", fit(s), "-frames:v", "1", "-q:v", jpegQuality, out)
	cmd.Stdin = bytes.NewReader(rgba.Pix)
	return runStill(ctx, cmd, "picture")
}

// runStill runs an ffmpeg that writes still images; its error carries the
// end of what ffmpeg said, under what.
func runStill(ctx context.Context, cmd *exec.Cmd, what string) error {
	cmd.WaitDelay = waitDelay
	tail := &tailWriter{}
	cmd.Stderr = tail
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("pipeline: %s: %w", what, ctx.Err())
		}
		return fmt.Errorf("pipeline: %s: ffmpeg: %w: %s", what, err, tail.String())
	}
	return nil
}

// fit is the filter that brings a picture to s's size.
func fit(s Still) string {
	if !s.Fill {
		return letterbox(s.size())
	}
	wh := strconv.Itoa(s.Width) + ":" + strconv.Itoa(s.Height)
	return "scale=" + wh + ":force_original_aspect_ratio=increase,crop=" + wh + ",setsar=1"
}

// letterbox fits a picture in size, padding it with black. The padding is
// done in RGB because 4:2:0 formats only pad to even sizes, and 157 is odd.
func letterbox(size string) string {
	wh := strings.Replace(size, "x", ":", 1)
	return "scale=" + wh + ":force_original_aspect_ratio=decrease,format=rgb24,pad=" + wh + ":-1:-1:black,setsar=1"
}

// images runs ffmpeg once for both images, with graph giving the [thumb]
// and [preview] outputs.
func images(ctx context.Context, ffmpeg, input, outDir string, inputArgs []string, graph string) error {
	thumb, preview := filepath.Join(outDir, job.ThumbnailFile), filepath.Join(outDir, job.PreviewFile)
	for _, p := range []string{thumb, preview} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("pipeline: images: %w", err)
		}
	}
	args := append([]string{"-y", "-v", "error"}, inputArgs...)
	args = append(args, "-i", input, "-filter_complex", graph,
		"-map", "[thumb]", "-frames:v", "1", "-q:v", jpegQuality, thumb,
		"-map", "[preview]", "-frames:v", "1", "-q:v", jpegQuality, preview)
	if err := runStill(ctx, exec.CommandContext(ctx, ffmpeg, args...), "images"); err != nil {
		return err
	}
	// ffmpeg succeeds without writing anything when the seek went past the
	// last frame.
	for _, p := range []string{thumb, preview} {
		if info, err := os.Stat(p); err != nil || info.Size() == 0 {
			return errNoFrame
		}
	}
	return nil
}
