package storyboard

import (
	"fmt"
	"strconv"

	"cuttle.video/transcoder/job"
)

// jpegQuality is ffmpeg's mjpeg scale, 2 (best) to 31: sprites are
// small and shown small, so a middling quality keeps the sheet light.
const jpegQuality = "5"

// Args builds ffmpeg's command line, without the binary, that draws the
// sheet of l from input into output. The fps filter keeps one frame every
// SpriteDuration seconds, from the first; each is fitted into its cell
// and letterboxed, in RGB because 4:2:0 formats only pad to even sizes;
// tile lays them out and, at the end of the input, flushes a grid that
// is not full. One frame of output is the whole sheet.
func Args(input, output string, l job.SpriteLayout, threads int) []string {
	size := fmt.Sprintf("%d:%d", l.SpriteWidth, l.SpriteHeight)
	graph := fmt.Sprintf("[0:V:0]fps=1/%d,scale=%s:force_original_aspect_ratio=decrease,format=rgb24,"+
		"pad=%s:-1:-1:black,setsar=1,tile=%dx%d[sheet]", l.SpriteDuration, size, size, l.Columns, l.Rows)
	args := []string{"-y", "-v", "error", "-nostats", "-i", input, "-filter_complex", graph,
		"-map", "[sheet]", "-frames:v", "1", "-q:v", jpegQuality}
	if threads > 0 {
		args = append(args, "-threads", strconv.Itoa(threads))
	}
	return append(args, output)
}
