package pipeline

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/settings"
)

// Options tunes the encoding; the zero value is usable.
type Options struct {
	// SegmentSeconds is the target segment duration, 4 when zero.
	SegmentSeconds int
	// Threads is ffmpeg's -threads for each encoder; 0 lets ffmpeg choose.
	Threads int
	// Preset is the x264 preset, settings.Preset when empty.
	Preset string
	// FFmpeg and FFprobe are the binaries, found in PATH when empty.
	FFmpeg  string
	FFprobe string
	// MaxOutputBytes bounds what the encoder may write; 0 means no bound.
	MaxOutputBytes int64
}

const (
	defaultSegmentSeconds = 4
	// crf 23 is x264's own default quality; the caps keep its peaks
	// within what each rendition's viewers can download.
	crf = "23"
)

func (o Options) withDefaults() Options {
	if o.SegmentSeconds <= 0 {
		o.SegmentSeconds = defaultSegmentSeconds
	}
	if o.Preset == "" {
		o.Preset = settings.Preset
	}
	if o.FFmpeg == "" {
		o.FFmpeg = "ffmpeg"
	}
	if o.FFprobe == "" {
		o.FFprobe = "ffprobe"
	}
	if o.Threads < 0 {
		o.Threads = 0
	}
	return o
}

// Args builds ffmpeg's command line, without the binary, that encodes
// input into the HLS ladder in outDir, each rendition into one
// fragmented MP4 with a byte-range playlist, named by the id of the same
// index in ids (see job.FragmentedName). It expects a ladder Run
// accepts: Run checks it first.
func Args(input, outDir string, ladder []job.Rendition, ids []string, opt Options) []string {
	opt = opt.withDefaults()
	args := []string{"-y", "-v", "error", "-nostats", "-progress", "pipe:1", "-i", input}
	graph, maps := filterGraph(ladder)
	if graph != "" {
		args = append(args, "-filter_complex", graph)
	}
	for _, m := range maps {
		args = append(args, "-map", m)
	}
	// Phone videos carry the place they were shot in their metadata; none
	// of it is needed to play the video, so none of it is published.
	args = append(args, "-map_metadata", "-1", "-map_chapters", "-1")
	args = append(args, videoArgs(ladder, opt)...)
	args = append(args, audioArgs(ladder)...)
	if opt.Threads > 0 {
		args = append(args, "-threads", strconv.Itoa(opt.Threads))
	}
	// ffmpeg replaces %v with each variant's name, which is made to be
	// "{id}-{resolution}": the names job gives then follow from the
	// suffixes.
	fragmented := strings.TrimPrefix(job.FragmentedName("", 0), "-0")
	playlist := strings.TrimPrefix(job.PlaylistName("", 0), "-0")
	return append(args,
		"-f", "hls",
		"-hls_segment_type", "fmp4",
		"-hls_playlist_type", "vod",
		"-hls_time", strconv.Itoa(opt.SegmentSeconds),
		"-hls_flags", "single_file+independent_segments",
		"-hls_segment_filename", filepath.Join(outDir, "%v"+fragmented),
		"-var_stream_map", varStreamMap(ladder, ids),
		filepath.Join(outDir, "%v"+playlist),
	)
}

// filterGraph splits the decoded video and audio once per rendition that
// needs them, and returns the graph with the -map argument of each output
// stream, in the order var_stream_map counts them (v:N and a:N are the Nth
// video and audio streams of the output).
func filterGraph(ladder []job.Rendition) (string, []string) {
	var videos, audios []job.Rendition
	for _, r := range ladder {
		if !r.AudioOnly() {
			videos = append(videos, r)
		}
		if r.HasAudio {
			audios = append(audios, r)
		}
	}
	var chains, maps []string
	// 0:V skips cover art and other attached pictures, which ffmpeg counts
	// as video streams.
	inputs := split("[0:V:0]", "split", "s", len(videos))
	if len(videos) > 1 {
		chains = append(chains, inputs[0])
		inputs = inputs[1:]
	}
	for i, r := range videos {
		// fps before scale, so frames that are dropped are never scaled;
		// yuv420p because a 4:4:4 or 10-bit original would otherwise make
		// x264 leave the High profile that browsers decode.
		chains = append(chains, fmt.Sprintf("%sfps=%s,scale=%d:%d,format=yuv420p[v%d]",
			inputs[i], formatFPS(r.FPS), r.Width, r.Height, i))
	}
	audioMaps := make([]string, len(audios))
	switch len(audios) {
	case 0:
	case 1:
		audioMaps[0] = "0:a:0"
	default:
		chains = append(chains, split("[0:a:0]", "asplit", "a", len(audios))[0])
		for i := range audios {
			audioMaps[i] = fmt.Sprintf("[a%d]", i)
		}
	}
	v, a := 0, 0
	for _, r := range ladder {
		if !r.AudioOnly() {
			maps = append(maps, fmt.Sprintf("[v%d]", v))
			v++
		}
		if r.HasAudio {
			maps = append(maps, audioMaps[a])
			a++
		}
	}
	return strings.Join(chains, ";"), maps
}

// split returns, for n > 1, the filter that splits in into n outputs
// followed by the labels of those outputs; for n <= 1, just in.
func split(in, filter, prefix string, n int) []string {
	if n <= 1 {
		return []string{in}
	}
	var chain strings.Builder
	labels := make([]string, n)
	fmt.Fprintf(&chain, "%s%s=%d", in, filter, n)
	for i := range n {
		labels[i] = fmt.Sprintf("[%s%d]", prefix, i)
		chain.WriteString(labels[i])
	}
	return append([]string{chain.String()}, labels...)
}

func videoArgs(ladder []job.Rendition, opt Options) []string {
	var args []string
	v := 0
	for _, r := range ladder {
		if r.AudioOnly() {
			continue
		}
		if v == 0 {
			args = append(args, "-c:v", "libx264", "-profile:v", "high", "-preset", opt.Preset,
				"-crf", crf, "-sc_threshold", "0",
				// Forced keyframes land at the same instants in every
				// rendition whatever its frame rate; -g and -keyint_min
				// keep x264 from adding others in between.
				"-force_key_frames", fmt.Sprintf("expr:gte(t,n_forced*%d)", opt.SegmentSeconds))
		}
		gop := strconv.Itoa(max(int(math.Round(r.FPS*float64(opt.SegmentSeconds))), 1))
		s := strconv.Itoa(v)
		args = append(args,
			"-maxrate:v:"+s, strconv.Itoa(r.VideoKbps)+"k",
			// A buffer of one second of the cap bounds any segment of n
			// seconds at (n+1)/n times the cap, so the peak BANDWIDTH
			// players see stays close to the ladder's caps.
			"-bufsize:v:"+s, strconv.Itoa(r.VideoKbps)+"k",
			"-g:v:"+s, gop,
			"-keyint_min:v:"+s, gop)
		v++
	}
	return args
}

func audioArgs(ladder []job.Rendition) []string {
	var args []string
	a := 0
	for _, r := range ladder {
		if !r.HasAudio {
			continue
		}
		if a == 0 {
			args = append(args, "-c:a", "aac", "-ac", "2")
		}
		args = append(args, "-b:a:"+strconv.Itoa(a), strconv.Itoa(r.AudioKbps)+"k")
		a++
	}
	return args
}

// varStreamMap groups each rendition's output streams into one variant,
// so video and audio are muxed together in its segments.
func varStreamMap(ladder []job.Rendition, ids []string) string {
	groups := make([]string, 0, len(ladder))
	v, a := 0, 0
	for i, r := range ladder {
		var parts []string
		if !r.AudioOnly() {
			parts = append(parts, fmt.Sprintf("v:%d", v))
			v++
		}
		if r.HasAudio {
			parts = append(parts, fmt.Sprintf("a:%d", a))
			a++
		}
		parts = append(parts, "name:"+ids[i]+"-"+strconv.Itoa(r.Resolution()))
		groups = append(groups, strings.Join(parts, ","))
	}
	return strings.Join(groups, " ")
}

func formatFPS(fps float64) string {
	return strconv.FormatFloat(fps, 'f', -1, 64)
}
