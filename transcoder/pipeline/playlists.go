package pipeline

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/grafov/m3u8"

	"cuttle.video/transcoder/job"
)

// hlsVersion is the lowest protocol version with EXT-X-MAP in playlists
// that are not I-frame only, which fMP4 segments need.
const hlsVersion = 7

// readMediaPlaylist parses a media playlist ffmpeg wrote.
func readMediaPlaylist(path string) (*m3u8.MediaPlaylist, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open playlist: %w", err)
	}
	defer f.Close()
	pl, kind, err := m3u8.DecodeFrom(f, true)
	if err != nil {
		return nil, fmt.Errorf("parse playlist: %w", err)
	}
	media, ok := pl.(*m3u8.MediaPlaylist)
	if kind != m3u8.MEDIA || !ok {
		return nil, errors.New("parse playlist: not a media playlist")
	}
	return media, nil
}

// segments returns the playlist's segments; grafov/m3u8 keeps them in a
// slice with unused capacity at its end.
func segments(pl *m3u8.MediaPlaylist) []*m3u8.MediaSegment {
	var out []*m3u8.MediaSegment
	for _, s := range pl.Segments {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// MasterPlaylist renders the master playlist of the renditions, the
// highest first, since players without a bandwidth estimate start with
// the first variant that they can play; hls.js and Safari measure and
// switch down from there. Subtitles, when given, are listed as
// renditions of one group that every variant refers to.
func MasterPlaylist(renditions []job.RenditionResult, subtitles ...Subtitle) ([]byte, error) {
	if len(renditions) == 0 {
		return nil, errors.New("pipeline: master playlist: no renditions")
	}
	sorted := slices.Clone(renditions)
	slices.SortStableFunc(sorted, func(a, b job.RenditionResult) int {
		if c := cmp.Compare(b.Height*b.Width, a.Height*a.Width); c != 0 {
			return c
		}
		return cmp.Compare(b.Bandwidth, a.Bandwidth)
	})
	alternatives, err := subtitleAlternatives(subtitles)
	if err != nil {
		return nil, err
	}
	p := m3u8.NewMasterPlaylist()
	p.SetVersion(hlsVersion)
	// Every segment starts with a keyframe (-hls_flags independent_segments).
	p.SetIndependentSegments(true)
	for _, r := range sorted {
		if err := checkRendition(r); err != nil {
			return nil, fmt.Errorf("pipeline: master playlist: %w", err)
		}
		if r.Bandwidth <= 0 || r.Bandwidth > math.MaxUint32 || r.AverageBandwidth < 0 || r.AverageBandwidth > r.Bandwidth {
			return nil, fmt.Errorf("pipeline: master playlist: rendition %s: bandwidths %d and %d are out of range",
				r.Name, r.Bandwidth, r.AverageBandwidth)
		}
		v := m3u8.VariantParams{
			Bandwidth:        uint32(r.Bandwidth),
			AverageBandwidth: uint32(r.AverageBandwidth),
			Codecs:           r.Codecs,
		}
		if len(alternatives) > 0 {
			v.Alternatives, v.Subtitles = alternatives, SubtitleGroup
		}
		if !r.AudioOnly() {
			v.Resolution = fmt.Sprintf("%dx%d", r.Width, r.Height)
			v.FrameRate = r.FPS
		}
		p.Append(r.Playlist, nil, v)
	}
	// grafov/m3u8 always writes PROGRAM-ID, which protocol version 6
	// removed; strict validators flag it in a version 7 playlist.
	return bytes.ReplaceAll(p.Encode().Bytes(), []byte("#EXT-X-STREAM-INF:PROGRAM-ID=0,"), []byte("#EXT-X-STREAM-INF:")), nil
}
