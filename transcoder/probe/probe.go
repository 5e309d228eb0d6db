// Package probe reads what a media file really is with ffprobe, from its
// bytes and never from its name.
package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
)

// ErrNotMedia is returned for files that are not a video or audio file
// ffmpeg can read: text renamed .mp4, images, truncated containers.
var ErrNotMedia = errors.New("probe: not a video or audio file")

// Video describes the first video stream.
type Video struct {
	Codec  string
	Width  int
	Height int
	// FPS is the average frame rate, 0 when unknown.
	FPS float64
}

// Audio describes the first audio stream.
type Audio struct {
	Codec      string
	Channels   int
	SampleRate int
}

// Result is what a probe found.
type Result struct {
	// Format is ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
	Format   string
	Duration float64
	Video    *Video
	Audio    *Audio
}

type ffprobeOutput struct {
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
	Streams []struct {
		CodecType    string `json:"codec_type"`
		CodecName    string `json:"codec_name"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		AvgFrameRate string `json:"avg_frame_rate"`
		Channels     int    `json:"channels"`
		SampleRate   string `json:"sample_rate"`
		Disposition  struct {
			AttachedPic int `json:"attached_pic"`
		} `json:"disposition"`
		Tags struct {
			Rotate string `json:"rotate"`
		} `json:"tags"`
		SideData []struct {
			Rotation float64 `json:"rotation"`
		} `json:"side_data_list"`
	} `json:"streams"`
}

// stillFormats are demuxers that read single images or terminal text;
// ffprobe accepts them, but they are not something to transcode.
var stillFormats = []string{"image2", "_pipe", "tty", "gif", "apng", "webp"}

// File probes the file at path.
func File(ctx context.Context, path string) (*Result, error) {
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-print_format", "json",
		"-show_format", "-show_streams", "--", path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("probe: %w", ctx.Err())
		}
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			// ffprobe names the file in its message; the path is ours, not
			// the uploader's, so it is dropped.
			msg := strings.ReplaceAll(firstLine(stderr.String()), path+": ", "")
			return nil, fmt.Errorf("%w: %s", ErrNotMedia, msg)
		}
		return nil, fmt.Errorf("probe: run ffprobe: %w", err)
	}
	return parse(stdout.Bytes())
}

func parse(out []byte) (*Result, error) {
	var o ffprobeOutput
	if err := json.Unmarshal(out, &o); err != nil {
		return nil, fmt.Errorf("probe: decode ffprobe output: %w", err)
	}
	r := &Result{Format: o.Format.FormatName}
	r.Duration, _ = strconv.ParseFloat(o.Format.Duration, 64)
	for _, f := range stillFormats {
		if strings.Contains(r.Format, f) {
			return nil, fmt.Errorf("%w: %s is an image or text format", ErrNotMedia, r.Format)
		}
	}
	for _, s := range o.Streams {
		switch {
		case s.CodecType == "video" && r.Video == nil && s.Disposition.AttachedPic == 0:
			r.Video = &Video{Codec: s.CodecName, Width: s.Width, Height: s.Height, FPS: parseRate(s.AvgFrameRate)}
			// Phones store portrait video as rotated landscape; ffmpeg turns
			// it upright when decoding, so the displayed size is what counts.
			rotation, _ := strconv.ParseFloat(s.Tags.Rotate, 64)
			for _, sd := range s.SideData {
				if sd.Rotation != 0 {
					rotation = sd.Rotation
				}
			}
			if int(math.Abs(rotation))%180 == 90 {
				r.Video.Width, r.Video.Height = r.Video.Height, r.Video.Width
			}
		case s.CodecType == "audio" && r.Audio == nil:
			sr, _ := strconv.Atoi(s.SampleRate)
			r.Audio = &Audio{Codec: s.CodecName, Channels: s.Channels, SampleRate: sr}
		}
	}
	if r.Video == nil && r.Audio == nil {
		return nil, fmt.Errorf("%w: no audio or video stream", ErrNotMedia)
	}
	if r.Video != nil && (r.Video.Width <= 0 || r.Video.Height <= 0) {
		return nil, fmt.Errorf("%w: video stream without dimensions", ErrNotMedia)
	}
	if r.Duration <= 0 {
		return nil, fmt.Errorf("%w: no duration", ErrNotMedia)
	}
	return r, nil
}

// parseRate reads ffprobe's "30000/1001" form.
func parseRate(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	if !ok {
		f, _ := strconv.ParseFloat(s, 64)
		return f
	}
	n, err1 := strconv.ParseFloat(num, 64)
	d, err2 := strconv.ParseFloat(den, 64)
	if err1 != nil || err2 != nil || d == 0 {
		return 0
	}
	return n / d
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
