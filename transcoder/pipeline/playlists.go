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

// MediaSegments returns the playlist's segments; grafov/m3u8 keeps them
// in a slice with unused capacity at its end.
func MediaSegments(pl *m3u8.MediaPlaylist) []*m3u8.MediaSegment {
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

// maxNameLen bounds rendition names, which label renditions in logs.
const maxNameLen = 32

// checkRendition checks what a rendition's result puts into the master
// playlist, and that its files are named as Run names them.
func checkRendition(r job.RenditionResult) error {
	id, resolution, ok := job.FragmentedFile(r.File)
	switch {
	case len(r.Name) > maxNameLen || !job.ValidRenditionName(r.Name):
		return fmt.Errorf("%w: a rendition name must be up to %d letters, digits or _", ErrBadOutput, maxNameLen)
	case !ok || resolution != r.Resolution():
		return fmt.Errorf("%w: rendition %s: its file must be {uuid}-%d-fragmented.mp4", ErrBadOutput, r.Name, r.Resolution())
	case r.Playlist != job.PlaylistName(id, resolution):
		return fmt.Errorf("%w: rendition %s: its playlist must be %s", ErrBadOutput, r.Name, job.PlaylistName(id, resolution))
	case !codecsRE.MatchString(r.Codecs):
		return fmt.Errorf("%w: rendition %s: the codecs are not a list of RFC 6381 codec identifiers", ErrBadOutput, r.Name)
	}
	return nil
}

// CheckResult accepts a VOD HLS result only if every rendition is
// well-formed and every file is one Run writes for those renditions.
func CheckResult(res *job.VODHLSResult) error {
	allowed := map[string]bool{res.SegmentsSHA256: true}
	for _, r := range res.Renditions {
		if err := checkRendition(r); err != nil {
			return err
		}
		if r.InfoHash != "" {
			return fmt.Errorf("%w: rendition %s: the server makes the torrents", ErrBadOutput, r.Name)
		}
		if allowed[r.File] {
			return fmt.Errorf("%w: file %s appears twice", ErrBadOutput, r.File)
		}
		allowed[r.File], allowed[r.Playlist] = true, true
	}
	switch {
	case !job.ValidSegmentsName(res.SegmentsSHA256):
		return fmt.Errorf("%w: the segment hash map must be {uuid}-segments-sha256.json", ErrBadOutput)
	case res.Master != "":
		return fmt.Errorf("%w: the server names the master playlist", ErrBadOutput)
	case (res.Thumbnail != "" && res.Thumbnail != job.ThumbnailFile) || (res.Preview != "" && res.Preview != job.PreviewFile):
		return fmt.Errorf("%w: the images must be %s and %s", ErrBadOutput, job.ThumbnailFile, job.PreviewFile)
	}
	allowed[job.ThumbnailFile], allowed[job.PreviewFile] = true, true
	for _, f := range res.Files {
		if !allowed[f] {
			return fmt.Errorf("%w: %q is not a file of one of its renditions", ErrBadOutput, f)
		}
	}
	return nil
}

// mediaTagRE lists the tags a media playlist may hold, each with the
// only attribute values Run's playlists use; EXT-X-MAP is checked apart.
var mediaTagRE = regexp.MustCompile(`^#(?:EXTM3U|EXT-X-VERSION:[0-9]{1,2}|EXT-X-TARGETDURATION:[0-9]{1,5}|` +
	`EXT-X-MEDIA-SEQUENCE:0|EXT-X-PLAYLIST-TYPE:VOD|EXT-X-INDEPENDENT-SEGMENTS|` +
	`EXTINF:[0-9]{1,6}(?:\.[0-9]{1,9})?,|EXT-X-BYTERANGE:[0-9]{1,12}@[0-9]{1,15}|EXT-X-ENDLIST)$`)

// mapRE is the one EXT-X-MAP Run's playlists hold: the start of the
// rendition's file.
var mapRE = regexp.MustCompile(`^#EXT-X-MAP:URI="([^"]*)",BYTERANGE="[0-9]{1,12}@0"$`)

// tagNameRE finds a tag's name, to say which one was refused.
var tagNameRE = regexp.MustCompile(`^#(EXT[A-Z0-9-]{0,40})(?::|$)`)

// CheckMediaPlaylist accepts the media playlist of rendition r only in
// the shape ffmpeg writes it for Run: the tags of a VOD fMP4 playlist
// and nothing else (no keys, no session data, no comments), and byte
// ranges of the rendition's file, declared among the job's files, that
// follow one another from its start (the initialisation section) to its
// end, which is the size the result reports. Errors name lines, never
// what they hold.
func CheckMediaPlaylist(data []byte, r job.RenditionResult, declared func(name string) bool) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: playlist %s: %s", ErrBadOutput, r.Playlist, fmt.Sprintf(format, args...))
	}
	if !declared(r.File) {
		return fail("its file %s is not among the job's files", r.File)
	}
	uris, maps := 0, 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		n := i + 1
		switch {
		case strings.Contains(line, "\r"):
			// Players would read what follows as a line of its own.
			return fail("line %d: a carriage return inside a line", n)
		case line == "":
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			// One initialisation section, the rendition's, before any
			// segment: a player may follow any EXT-X-MAP it meets.
			maps++
			if m := mapRE.FindStringSubmatch(line); m == nil || m[1] != r.File || maps > 1 || uris > 0 {
				return fail("line %d: the only EXT-X-MAP must be the start of %s, before the segments", n, r.File)
			}
		case strings.HasPrefix(line, "#"):
			if !mediaTagRE.MatchString(line) {
				if m := tagNameRE.FindStringSubmatch(line); m != nil {
					return fail("line %d: tag %s is not allowed here", n, m[1])
				}
				return fail("line %d: comments are not allowed", n)
			}
		case line != r.File:
			return fail("line %d: the URI is not the rendition's file", n)
		default:
			uris++
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
	segs := MediaSegments(media)
	switch {
	case !media.Closed:
		return fail("no EXT-X-ENDLIST")
	case media.Map == nil || media.Map.URI != r.File || media.Map.Offset != 0 || media.Map.Limit <= 0:
		return fail("the EXT-X-MAP must be the start of %s", r.File)
	case len(segs) == 0 || len(segs) != uris || len(segs) != r.Segments:
		return fail("%d segments, the result reports %d", len(segs), r.Segments)
	}
	next := media.Map.Limit
	for i, s := range segs {
		if s.Offset != next || s.Limit <= 0 {
			return fail("segment %d does not follow the previous one", i)
		}
		next += s.Limit
	}
	if next != r.Size {
		return fail("the byte ranges end at %d, the result reports a file of %d bytes", next, r.Size)
	}
	return nil
}

// Segment is one segment of a byte-range media playlist.
type Segment struct {
	Duration float64
	Size     int64
}

// ByteRangePlaylist writes the media playlist of a fragmented MP4, file,
// whose first initSize bytes are its initialisation section and whose
// segments follow end to end, in the shape ffmpeg writes for Run (and
// CheckMediaPlaylist accepts). It is written by hand because
// grafov/m3u8 leaves the EXT-X-MAP byte range unquoted.
func ByteRangePlaylist(file string, initSize int64, segs []Segment) ([]byte, error) {
	if len(segs) == 0 || initSize <= 0 {
		return nil, errors.New("pipeline: byte-range playlist: no segments")
	}
	target := 1.0
	for _, s := range segs {
		target = max(target, math.Ceil(s.Duration))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n"+
		"#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=%q,BYTERANGE=\"%d@0\"\n",
		hlsVersion, int(target), file, initSize)
	offset := initSize
	for _, s := range segs {
		if s.Size <= 0 {
			return nil, errors.New("pipeline: byte-range playlist: an empty segment")
		}
		fmt.Fprintf(&b, "#EXTINF:%.6f,\n#EXT-X-BYTERANGE:%d@%d\n%s\n", s.Duration, s.Size, offset, file)
		offset += s.Size
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return b.Bytes(), nil
}

// SegmentDurations reads the durations of a media playlist's segments.
func SegmentDurations(data []byte) ([]float64, error) {
	pl, kind, err := m3u8.DecodeFrom(bytes.NewReader(data), true)
	if err != nil {
		return nil, fmt.Errorf("pipeline: parse playlist: %w", err)
	}
	media, ok := pl.(*m3u8.MediaPlaylist)
	if kind != m3u8.MEDIA || !ok {
		return nil, errors.New("pipeline: parse playlist: not a media playlist")
	}
	var out []float64
	for _, s := range MediaSegments(media) {
		out = append(out, s.Duration)
	}
	return out, nil
}
