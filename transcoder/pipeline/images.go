package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"cuttle.video/transcoder/job"
)

// Image sizes: both 16:9, the shape of the video player and of the cards
// that list videos.
const (
	thumbnailSize = "280x157"
	previewSize   = "850x480"
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

// makeImages writes the thumbnail and the preview: a frame a third into a
// video, letterboxed so that nothing of a portrait or square picture is
// cut, or the waveform of a sound.
func makeImages(ctx context.Context, ffmpeg, input, outDir string, video bool, duration float64) error {
	if !video {
		return images(ctx, ffmpeg, input, outDir, nil,
			"[0:a:0]showwavespic=s="+previewSize+":colors="+waveColor+",split=2[t][p];"+
				"[t]scale="+strings.Replace(thumbnailSize, "x", ":", 1)+",format=rgb24[thumb];"+
				"[p]format=rgb24[preview]")
	}
	graph := "[0:V:0]split=2[t][p];[t]" + letterbox(thumbnailSize) + "[thumb];[p]" + letterbox(previewSize) + "[preview]"
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
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.WaitDelay = waitDelay
	tail := &tailWriter{}
	cmd.Stderr = tail
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("pipeline: images: %w", ctx.Err())
		}
		return fmt.Errorf("pipeline: images: ffmpeg: %w: %s", err, tail.String())
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
