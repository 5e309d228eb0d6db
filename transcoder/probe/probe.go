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
	// Packets counts the packets of every stream, as read from the file.
	Packets int
	Video   *Video
	Audio   *Audio
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
		ReadPackets  string `json:"nb_read_packets"`
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

// minPacketsPerSecond is the fewest packets, over all streams, that each
// second of the claimed duration needs. The duration comes from container
// metadata and a single timestamp can stretch it to days, which the
// encoder would then fill with copies of the last frame. A slideshow with
// one picture every few seconds still passes.
const minPacketsPerSecond = 0.1

// File probes the file at path.
func File(ctx context.Context, path string) (*Result, error) {
	// -count_packets demuxes the whole file, without decoding, so the
	// packets that back the claimed duration are counted, not trusted.
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-print_format", "json",
		"-count_packets", "-show_format", "-show_streams", "--", path)
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
		n, _ := strconv.Atoi(s.ReadPackets)
		r.Packets += n
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

// CheckPackets refuses a file whose packets cannot fill the duration it
// claims. Callers that also bound the duration check that first, as its
// refusal says more to the uploader.
func (r *Result) CheckPackets() error {
	if float64(r.Packets) < r.Duration*minPacketsPerSecond {
		return fmt.Errorf("%w: it claims to last %.0f s but holds only %d packets", ErrNotMedia, r.Duration, r.Packets)
	}
	return nil
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
