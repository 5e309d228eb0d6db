package pipeline

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"

	"cuttle.video/transcoder/job"
	"github.com/grafov/m3u8"
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

// The server does not trust what a worker wrote: players follow every URI
// of a playlist, so a playlist naming another host would send every
// viewer there, and the master playlist the server writes quotes the
// worker's codecs. What follows accepts outputs only in the shape Run
// writes them.

// ErrBadOutput marks outputs that are not in the shape this pipeline
// writes: a worker that is broken, or hostile.
var ErrBadOutput = errors.New("the transcoding outputs are not in the expected shape")

// codecsRE is the grammar of a CODECS attribute: RFC 6381 codec
// identifiers of letters, digits, dots, plus and minus, separated by
// commas.
var codecsRE = regexp.MustCompile(`^[A-Za-z0-9.+-]{1,40}(?:,[A-Za-z0-9.+-]{1,40}){0,3}$`)

// MaxPlaylistSize bounds a playlist read back into memory to be checked
// or rewritten; the media playlist of a ten-hour video is well under it.
const MaxPlaylistSize = 4 << 20

// maxNameLen bounds rendition names, which prefix file names.
const maxNameLen = 32

// checkRendition checks what a rendition's result puts into the master
// playlist.
func checkRendition(r job.RenditionResult) error {
	switch {
	case len(r.Name) > maxNameLen || !job.ValidRenditionName(r.Name):
		return fmt.Errorf("%w: a rendition name must be up to %d letters, digits or _", ErrBadOutput, maxNameLen)
	case r.Playlist != job.PlaylistName(r.Name):
		return fmt.Errorf("%w: rendition %s: its playlist must be %s", ErrBadOutput, r.Name, job.PlaylistName(r.Name))
	case !codecsRE.MatchString(r.Codecs):
		return fmt.Errorf("%w: rendition %s: the codecs are not a list of RFC 6381 codec identifiers", ErrBadOutput, r.Name)
	}
	return nil
}

// CheckResult accepts a VOD HLS result only if every rendition is
// well-formed and every file is one Run writes for those renditions.
func CheckResult(res *job.VODHLSResult) error {
	prefixes := map[string]bool{}
	for _, r := range res.Renditions {
		if err := checkRendition(r); err != nil {
			return err
		}
		if prefixes[r.Name] {
			return fmt.Errorf("%w: rendition %s appears twice", ErrBadOutput, r.Name)
		}
		prefixes[r.Name] = true
	}
	if res.SegmentsSHA256 != job.SegmentsFile || (res.Thumbnail != "" && res.Thumbnail != job.ThumbnailFile) ||
		(res.Preview != "" && res.Preview != job.PreviewFile) {
		return fmt.Errorf("%w: the segment map and images must be %s, %s and %s", ErrBadOutput, job.SegmentsFile, job.ThumbnailFile, job.PreviewFile)
	}
	for _, f := range res.Files {
		if f == job.SegmentsFile || f == job.ThumbnailFile || f == job.PreviewFile {
			continue
		}
		if name, ok := job.RenditionOf(f); !ok || !prefixes[name] {
			return fmt.Errorf("%w: %q is not a file of one of its renditions", ErrBadOutput, f)
		}
	}
	return nil
}

// mediaTagRE lists the tags a media playlist may hold, each with the
// only attribute values Run's playlists use; EXT-X-MAP is checked apart.
var mediaTagRE = regexp.MustCompile(`^#(?:EXTM3U|EXT-X-VERSION:[0-9]{1,2}|EXT-X-TARGETDURATION:[0-9]{1,5}|` +
	`EXT-X-MEDIA-SEQUENCE:0|EXT-X-PLAYLIST-TYPE:VOD|EXT-X-INDEPENDENT-SEGMENTS|` +
	`EXTINF:[0-9]{1,6}(?:\.[0-9]{1,9})?,|EXT-X-ENDLIST)$`)

// tagNameRE finds a tag's name, to say which one was refused.
var tagNameRE = regexp.MustCompile(`^#(EXT[A-Z0-9-]{0,40})(?::|$)`)

// CheckMediaPlaylist accepts the media playlist of rendition r only in
// the shape ffmpeg writes it for Run: the tags of a VOD fMP4 playlist
// and nothing else (no keys, no session data, no comments), the
// rendition's init segment, and its segments in order, each a file of
// the same directory that declared reports the job wrote. Errors name
// lines, never what they hold.
func CheckMediaPlaylist(data []byte, r job.RenditionResult, declared func(name string) bool) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: playlist %s: %s", ErrBadOutput, r.Playlist, fmt.Sprintf(format, args...))
	}
	next, maps := 0, 0
	mapLine := `#EXT-X-MAP:URI="` + job.InitName(r.Name) + `"`
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		n := i + 1
		switch {
		case strings.Contains(line, "\r"):
			// Players would read what follows as a line of its own.
			return fail("line %d: a carriage return inside a line", n)
		case line == "":
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			// One init segment, the rendition's, before any segment: a
			// player may follow any EXT-X-MAP it meets.
			if maps++; line != mapLine || maps > 1 || next > 0 || !declared(job.InitName(r.Name)) {
				return fail("line %d: the only EXT-X-MAP must name %s, before the segments", n, job.InitName(r.Name))
			}
		case strings.HasPrefix(line, "#"):
			if !mediaTagRE.MatchString(line) {
				if m := tagNameRE.FindStringSubmatch(line); m != nil {
					return fail("line %d: tag %s is not allowed here", n, m[1])
				}
				return fail("line %d: comments are not allowed", n)
			}
		case line != job.SegmentName(r.Name, next) || !declared(line):
			return fail("line %d: the URI is not the rendition's segment %d among the job's files", n, next)
		default:
			next++
		}
	}
	pl, kind, err := m3u8.DecodeFrom(bytes.NewReader(data), true)
	if err != nil {
		return fail("%v", err)
	}
	media, ok := pl.(*m3u8.MediaPlaylist)
	if kind != m3u8.MEDIA || !ok {
		return fail("not a media playlist")
	}
	switch segs := segments(media); {
	case !media.Closed:
		return fail("no EXT-X-ENDLIST")
	case media.Map == nil || media.Map.URI != job.InitName(r.Name) || !declared(media.Map.URI):
		return fail("the EXT-X-MAP must name %s among the job's files", job.InitName(r.Name))
	case len(segs) == 0 || len(segs) != next || len(segs) != r.Segments:
		return fail("%d segments, the result reports %d", len(segs), r.Segments)
	}
	return nil
}
