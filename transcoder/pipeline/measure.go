package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"cuttle.video/transcoder/job"
)

// measured is a finished rendition with what Run needs beyond the result.
type measured struct {
	job.RenditionResult
	duration float64
	files    []string
}

// measure reads back a rendition ffmpeg wrote: it checks the file names
// its playlist uses are the ones the server planned, adds up sizes and
// durations, hashes the segments into hashes, and reads the codecs.
func measure(ctx context.Context, ffprobe, outDir string, r job.Rendition, segmentSeconds int, hashes map[string]string) (*measured, error) {
	playlist := job.PlaylistName(r.Name)
	pl, err := readMediaPlaylist(filepath.Join(outDir, playlist))
	if err != nil {
		return nil, err
	}
	segs := segments(pl)
	if len(segs) == 0 {
		return nil, errors.New("ffmpeg wrote no segments")
	}
	init := job.InitName(r.Name)
	if pl.Map == nil || pl.Map.URI != init {
		return nil, fmt.Errorf("the playlist has no EXT-X-MAP for %s", init)
	}
	initInfo, err := os.Stat(filepath.Join(outDir, init))
	if err != nil {
		return nil, fmt.Errorf("init segment: %w", err)
	}
	m := &measured{
		RenditionResult: job.RenditionResult{Rendition: r, Playlist: playlist, Segments: len(segs)},
		files:           []string{playlist, init},
	}
	var total int64
	var peak float64
	for i, s := range segs {
		name := job.SegmentName(r.Name, i)
		if s.URI != name {
			return nil, fmt.Errorf("segment %d is %q, expected %q", i, s.URI, name)
		}
		size, sum, err := hashFile(filepath.Join(outDir, name))
		if err != nil {
			return nil, err
		}
		hashes[name] = sum
		m.files = append(m.files, name)
		total += size
		m.duration += s.Duration
		// A last segment much shorter than the others is left out of the
		// peak: it can be little more than a keyframe, whose bitrate over
		// a fraction of a second says nothing about what a player needs.
		short := i == len(segs)-1 && i > 0 && s.Duration < float64(segmentSeconds)/2
		if s.Duration > 0 && !short {
			peak = max(peak, float64(size)*8/s.Duration)
		}
	}
	if m.duration <= 0 {
		return nil, errors.New("the playlist's segments have no duration")
	}
	m.Size = initInfo.Size() + total
	m.AverageBandwidth = int(math.Ceil(float64(total) * 8 / m.duration))
	m.Bandwidth = max(int(math.Ceil(peak)), m.AverageBandwidth)
	m.Codecs, err = codecs(ctx, ffprobe, filepath.Join(outDir, init), filepath.Join(outDir, job.SegmentName(r.Name, 0)), r)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", fmt.Errorf("segment: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("segment: %w", err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// writeHashes writes the segment hash map that P2P peers check the
// segments they receive from each other against.
func writeHashes(outDir string, hashes map[string]string) error {
	data, err := json.MarshalIndent(hashes, "", "  ")
	if err != nil {
		return fmt.Errorf("pipeline: encode segment hashes: %w", err)
	}
	if err := os.WriteFile(filepath.Join(outDir, job.SegmentsFile), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("pipeline: write segment hashes: %w", err)
	}
	return nil
}

type probedStreams struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Profile   string `json:"profile"`
		Level     int    `json:"level"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
}

// codecs reads the RFC 6381 codecs of a rendition from its init segment
// followed by its first media segment, which together make a playable
// fragmented MP4. It also checks the streams are the ones asked for.
func codecs(ctx context.Context, ffprobe, initPath, segmentPath string, r job.Rendition) (string, error) {
	initFile, err := os.Open(initPath)
	if err != nil {
		return "", fmt.Errorf("codecs: %w", err)
	}
	defer initFile.Close()
	segFile, err := os.Open(segmentPath)
	if err != nil {
		return "", fmt.Errorf("codecs: %w", err)
	}
	defer segFile.Close()
	cmd := exec.CommandContext(ctx, ffprobe, "-v", "error", "-print_format", "json",
		"-show_entries", "stream=codec_type,codec_name,profile,level,width,height", "-i", "pipe:0")
	cmd.Stdin = io.MultiReader(initFile, segFile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("codecs: ffprobe: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var out probedStreams
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return "", fmt.Errorf("codecs: decode ffprobe output: %w", err)
	}
	var video, audio string
	for _, s := range out.Streams {
		switch {
		case s.CodecType == "video" && video == "":
			if s.Width != r.Width || s.Height != r.Height {
				return "", fmt.Errorf("codecs: the video is %dx%d, expected %dx%d", s.Width, s.Height, r.Width, r.Height)
			}
			if video, err = avcCodec(s.CodecName, s.Profile, s.Level); err != nil {
				return "", err
			}
		case s.CodecType == "audio" && audio == "":
			if s.CodecName != "aac" || s.Profile != "LC" {
				return "", fmt.Errorf("codecs: audio is %s %s, expected AAC LC", s.CodecName, s.Profile)
			}
			audio = "mp4a.40.2"
		}
	}
	if (video == "") != r.AudioOnly() || (audio == "") == r.HasAudio {
		return "", fmt.Errorf("codecs: found video %q and audio %q, which do not match the rendition", video, audio)
	}
	if video == "" {
		return audio, nil
	}
	if audio == "" {
		return video, nil
	}
	return video + "," + audio, nil
}

// avcCodec gives the avc1 codec of an H.264 stream: profile_idc, the
// constraint flags and level_idc in hex. -profile:v high only caps the
// profile: at the fastest presets x264 uses no High tools and signals
// Constrained Baseline, so the profile is read, never assumed. The flags
// are the ones x264 sets for each profile.
func avcCodec(codec, profile string, level int) (string, error) {
	if codec != "h264" {
		return "", fmt.Errorf("codecs: video is %s, expected H.264", codec)
	}
	if level <= 0 || level > 0xff {
		return "", fmt.Errorf("codecs: H.264 level %d is out of range", level)
	}
	var prefix string
	switch profile {
	case "High":
		prefix = "6400"
	case "Main":
		prefix = "4d40"
	case "Constrained Baseline":
		prefix = "42c0"
	default:
		return "", fmt.Errorf("codecs: unexpected H.264 profile %q", profile)
	}
	return fmt.Sprintf("avc1.%s%02x", prefix, level), nil
}
