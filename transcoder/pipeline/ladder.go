// Package pipeline turns an original video or audio file into an fMP4 HLS
// ladder: one ffmpeg process decodes the original once and encodes every
// rendition, with keyframes aligned across renditions so that players can
// switch between them at any segment boundary. It also measures what it
// produced (sizes, bitrates, codecs, segment hashes) and makes the
// thumbnail and preview images.
package pipeline

import (
	"fmt"
	"math"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/probe"
)

// rung is one standard step of the ladder. The caps are for 30 fps and
// below; they are close to what the large platforms use for H.264 at these
// sizes, and with CRF encoding most videos stay well under them.
type rung struct {
	short     int
	videoKbps int
}

// rungs run from the largest down; nothing above 1080p is made, as the
// encoding time of 1440p and 4K on small workers is not worth it yet.
var rungs = [...]rung{
	{1080, 5000},
	{720, 2800},
	{480, 1400},
	{360, 800},
	{240, 450},
	{144, 200},
}

// Resolutions are the standard heights (short sides) the ladder makes,
// from the smallest up; an original below the smallest gets its own.
func Resolutions() []int {
	out := make([]int, 0, len(rungs))
	for i := len(rungs) - 1; i >= 0; i-- {
		out = append(out, rungs[i].short)
	}
	return out
}

const (
	defaultFPS = 30
	maxFPS     = 60
	// highFPSFactor raises the bitrate caps of renditions above 30 fps,
	// which carry more pictures per second.
	highFPSFactor = 1.5
	audioKbps     = 128
	// smallAudioKbps is for renditions of 240 lines and below, chosen by
	// viewers on poor connections, where audio would otherwise be a large
	// share of the bitrate.
	smallAudioKbps = 96
	smallShortSide = 240
)

// Ladder picks the renditions to make of an original.
//
// The standard heights are compared to the short side of the picture, so
// that a portrait phone video of 1080x1920 gets the same ladder as a
// landscape 1920x1080 one: its "1080p" rendition is 1080 wide and 1920
// high. Names follow the short side, as viewers expect "1080p" to mean
// that quality whatever the orientation. Heights above the original's are
// never made; an original smaller than the smallest rung gets a single
// rendition of its own size.
//
// Ladder returns nil when the probe found neither video nor audio.
func Ladder(p *probe.Result) []job.Rendition {
	if p == nil {
		return nil
	}
	hasAudio := p.Audio != nil
	if p.Video == nil {
		if !hasAudio {
			return nil
		}
		return []job.Rendition{{Name: "audio", AudioKbps: audioKbps, HasAudio: true}}
	}
	w, h := p.Video.Width, p.Video.Height
	if w <= 0 || h <= 0 {
		return nil
	}
	fps := outputFPS(p.Video.FPS)
	short := min(w, h)
	var out []job.Rendition
	for _, r := range rungs {
		if r.short <= short {
			out = append(out, rendition(w, h, r.short, r.videoKbps, fps, hasAudio))
		}
	}
	if len(out) == 0 {
		// Rounded down so that the picture is never enlarged, and even as
		// 4:2:0 H.264 requires.
		tiny := max(short&^1, 2)
		out = append(out, rendition(w, h, tiny, rungs[len(rungs)-1].videoKbps, fps, hasAudio))
	}
	return out
}

// rendition sizes one rung so that its short side is short and the aspect
// ratio of the w x h original is kept.
func rendition(w, h, short, videoKbps int, fps float64, hasAudio bool) job.Rendition {
	r := job.Rendition{
		Name:      fmt.Sprintf("%dp", short),
		FPS:       fps,
		VideoKbps: videoKbps,
		HasAudio:  hasAudio,
	}
	if w >= h {
		r.Height, r.Width = short, even(float64(short)*float64(w)/float64(h))
	} else {
		r.Width, r.Height = short, even(float64(short)*float64(h)/float64(w))
	}
	if fps > defaultFPS {
		r.VideoKbps = int(math.Round(float64(videoKbps) * highFPSFactor))
	}
	if hasAudio {
		r.AudioKbps = audioKbps
		if short <= smallShortSide {
			r.AudioKbps = smallAudioKbps
		}
	}
	return r
}

// outputFPS caps the frame rate at 60 by dividing it by the smallest whole
// number that brings it under the cap: 120 becomes 60 and 100 becomes 50,
// so that every kept frame is an original frame at an even interval,
// where a plain cap to 60 would make 100 fps judder.
func outputFPS(src float64) float64 {
	if src <= 0 || math.IsNaN(src) || math.IsInf(src, 0) {
		return defaultFPS
	}
	fps := src / math.Ceil(src/maxFPS)
	// Three decimals keep 30000/1001 readable as 29.97; the drift against
	// the original's exact rate is a frame every hour or so, which the fps
	// filter absorbs.
	return math.Round(fps*1000) / 1000
}

// even rounds to the nearest even number, at least 2.
func even(x float64) int {
	return max(int(math.Round(x/2))*2, 2)
}
