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
}

// measure reads back a rendition ffmpeg wrote, as the fragmented MP4
// named by id: it checks the playlist addresses that one file, its
// initialisation section then its segments end to end, adds up sizes and
// durations, hashes each segment's bytes into hashes, and reads the
// codecs.
func measure(ctx context.Context, ffprobe, outDir string, r job.Rendition, id string, segmentSeconds int, hashes job.SegmentHashes) (*measured, error) {
	file := job.FragmentedName(id, r.Resolution())
	playlist := job.PlaylistName(id, r.Resolution())
	pl, err := readMediaPlaylist(filepath.Join(outDir, playlist))
	if err != nil {
		return nil, err
	}
	segs := MediaSegments(pl)
	if len(segs) == 0 {
		return nil, errors.New("ffmpeg wrote no segments")
	}
	if pl.Map == nil || pl.Map.URI != file || pl.Map.Offset != 0 || pl.Map.Limit <= 0 {
		return nil, fmt.Errorf("the playlist has no EXT-X-MAP for the start of %s", file)
	}
	f, err := os.Open(filepath.Join(outDir, file))
	if err != nil {
		return nil, fmt.Errorf("fragmented file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("fragmented file: %w", err)
	}
	m := &measured{RenditionResult: job.RenditionResult{Rendition: r, File: file, Playlist: playlist, Segments: len(segs)}}
	ranges := make(map[string]string, len(segs))
	hashes[file] = ranges
	next := pl.Map.Limit
	if _, err := f.Seek(next, io.SeekStart); err != nil {
		return nil, fmt.Errorf("fragmented file: %w", err)
	}
	var peak float64
	for i, s := range segs {
		if s.URI != file || s.Offset != next || s.Limit <= 0 {
			return nil, fmt.Errorf("segment %d is not the %s bytes that follow the previous one", i, file)
		}
		h := sha256.New()
		if _, err := io.CopyN(h, f, s.Limit); err != nil {
			return nil, fmt.Errorf("segment %d: %w", i, err)
		}
		ranges[job.ByteRange(s.Offset, s.Limit)] = hex.EncodeToString(h.Sum(nil))
		next += s.Limit
		m.duration += s.Duration
		// A last segment much shorter than the others is left out of the
		// peak: it can be little more than a keyframe, whose bitrate over
		// a fraction of a second says nothing about what a player needs.
		short := i == len(segs)-1 && i > 0 && s.Duration < float64(segmentSeconds)/2
		if s.Duration > 0 && !short {
			peak = max(peak, float64(s.Limit)*8/s.Duration)
		}
	}
	if next != info.Size() {
		return nil, fmt.Errorf("the playlist addresses %d bytes of %s, which holds %d", next, file, info.Size())
	}
	if m.duration <= 0 {
		return nil, errors.New("the playlist's segments have no duration")
	}
	m.Size = info.Size()
	m.AverageBandwidth = int(math.Ceil(float64(m.Size-pl.Map.Limit) * 8 / m.duration))
	m.Bandwidth = max(int(math.Ceil(peak)), m.AverageBandwidth)
	m.Codecs, err = codecs(ctx, ffprobe, filepath.Join(outDir, file), r)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// writeHashes writes the segment hash map that P2P peers check the
// segments they receive from each other against.
func writeHashes(outDir, name string, hashes job.SegmentHashes) error {
	data, err := json.Marshal(hashes)
	if err != nil {
		return fmt.Errorf("pipeline: encode segment hashes: %w", err)
	}
	if err := os.WriteFile(filepath.Join(outDir, name), data, 0o644); err != nil {
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

// codecs reads the RFC 6381 codecs of a rendition from its fragmented
// MP4. It also checks the streams are the ones asked for.
func codecs(ctx context.Context, ffprobe, path string, r job.Rendition) (string, error) {
	cmd := exec.CommandContext(ctx, ffprobe, "-v", "error", "-print_format", "json",
		"-show_entries", "stream=codec_type,codec_name,profile,level,width,height", "-i", "file:"+path)
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
	var err error
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
