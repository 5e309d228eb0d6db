package job

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cuttle.video/storage"
)

// VODHLSPayload asks for the HLS ladder of one original. Workers hold no
// storage credentials: the original has a presigned URL, and the outputs
// are written through an upload grant, both valid for this job only.
type VODHLSPayload struct {
	// InputURL is a presigned GET of the original.
	InputURL string `json:"inputUrl"`
	// SegmentSeconds is the target duration of segments; keyframes are
	// aligned to it across renditions.
	SegmentSeconds int `json:"segmentSeconds"`
	// Renditions is the ladder the server chose from its own probe; the
	// worker checks the original still fits it.
	Renditions []Rendition `json:"renditions"`
	// Upload lets the worker write its files, by name relative to the
	// video's HLS directory, each at most Upload.MaxBytes. It points into
	// a staging area that is never served; the server publishes the files
	// once it has checked the result. Its size does not grow with the
	// video's duration, as one URL per predicted segment did.
	Upload storage.Grant `json:"upload"`
	// TimeLimitSeconds bounds the attempt's wall time, download and upload
	// included; 0 means no bound (older servers).
	TimeLimitSeconds int `json:"timeLimitSeconds,omitempty"`
	// MaxOutputBytes bounds what the encoder may write; 0 means no bound.
	MaxOutputBytes int64 `json:"maxOutputBytes,omitempty"`
}

// Rendition is one rung of the ladder.
type Rendition struct {
	// Name prefixes the rendition's files, e.g. "720p" or "audio".
	Name   string `json:"name"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	// FPS is the output frame rate, at most 60.
	FPS float64 `json:"fps,omitempty"`
	// VideoKbps caps the video bitrate; 0 for audio-only renditions.
	VideoKbps int `json:"videoKbps,omitempty"`
	AudioKbps int `json:"audioKbps,omitempty"`
	// HasAudio is false for silent videos.
	HasAudio bool `json:"hasAudio"`
}

// AudioOnly tells whether the rendition has no picture.
func (r Rendition) AudioOnly() bool { return r.Height == 0 }

// VODHLSResult is what a finished VODHLS job produced.
type VODHLSResult struct {
	Duration   float64           `json:"duration"`
	Renditions []RenditionResult `json:"renditions"`
	// Files lists every file written, relative to the HLS directory.
	Files []string `json:"files"`
	// Thumbnail and Preview are file names, empty when none was made.
	Thumbnail string `json:"thumbnail,omitempty"`
	Preview   string `json:"preview,omitempty"`
	// SegmentsSHA256 is the name of the segment hash map file.
	SegmentsSHA256 string `json:"segmentsSha256"`
}

// RenditionResult describes a finished rendition, enough to write the
// master playlist.
type RenditionResult struct {
	Rendition
	// Playlist is the media playlist's file name.
	Playlist string `json:"playlist"`
	// Codecs is the RFC 6381 string, e.g. "avc1.64001f,mp4a.40.2".
	Codecs string `json:"codecs"`
	// Bandwidth is the peak segment bitrate, AverageBandwidth the mean,
	// both in bits per second.
	Bandwidth        int   `json:"bandwidth"`
	AverageBandwidth int   `json:"averageBandwidth"`
	Size             int64 `json:"size"`
	Segments         int   `json:"segments"`
}

// The names of the files in a video's HLS directory. Workers write them,
// and the server plans, checks, publishes and serves them by these names
// alone, so both sides take them from here. Every name derives from a
// rendition's name (see ValidRenditionName) or is one of the fixed names
// below, and no two can collide.

const (
	// MasterPlaylist lists the renditions; the server writes it once it
	// has checked a result, so no worker may name a file so.
	MasterPlaylist = "master.m3u8"
	// SegmentsFile maps each segment's name to its sha256, for peers to
	// check what they receive.
	SegmentsFile = "segments-sha256.json"
	// ThumbnailFile and PreviewFile are the video's still images.
	ThumbnailFile = "thumbnail.jpg"
	PreviewFile   = "preview.jpg"
)

// Parts of a rendition's file names.
const (
	playlistSuffix = ".m3u8"
	initSuffix     = "-init.mp4"
	segmentSuffix  = ".m4s"
	// SegmentNumber formats a segment's number, from 0, in its name.
	// ffmpeg's HLS muxer takes it as it is in its segment file pattern.
	SegmentNumber = "%05d"
)

// PlaylistName is a rendition's media playlist.
func PlaylistName(rendition string) string { return rendition + playlistSuffix }

// InitName is a rendition's fMP4 initialisation segment.
func InitName(rendition string) string { return rendition + initSuffix }

// SegmentName is a rendition's i-th media segment, from 0.
func SegmentName(rendition string, i int) string {
	return SegmentTemplate(rendition, fmt.Sprintf(SegmentNumber, i))
}

// SegmentTemplate is a segment's name with its number spelled out as
// number, for tools that number segments themselves: ffmpeg writes the
// files SegmentName names when given SegmentTemplate("%v", SegmentNumber).
func SegmentTemplate(rendition, number string) string {
	return rendition + "-" + number + segmentSuffix
}

// renditionName is the grammar of rendition names: without "-", no
// rendition's files can take another's names, nor the fixed ones.
const renditionName = `[A-Za-z0-9_]+`

var (
	renditionNameRE = regexp.MustCompile(`^` + renditionName + `$`)
	// renditionFileRE matches the names of a rendition's files: its
	// playlist, init segment and media segments, numbered five digits
	// wide as SegmentNumber writes them.
	renditionFileRE = regexp.MustCompile(`^(` + renditionName + `)(?:` + regexp.QuoteMeta(playlistSuffix) + `|` +
		regexp.QuoteMeta(initSuffix) + `|` + strings.Replace(regexp.QuoteMeta(SegmentTemplate("", "#")), "#", `[0-9]{5}`, 1) + `)$`)
)

// ValidRenditionName tells whether name may name a rendition: letters,
// digits and _ only.
func ValidRenditionName(name string) bool { return renditionNameRE.MatchString(name) }

// RenditionOf returns the rendition a file belongs to; false for a name
// no rendition's file has.
func RenditionOf(file string) (string, bool) {
	m := renditionFileRE.FindStringSubmatch(file)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// VODHLSOutputTypes lists the content types of the files a VODHLS job
// writes, which is what its upload grant must allow.
func VODHLSOutputTypes() []string {
	types := []string{}
	for _, name := range []string{SegmentsFile, ThumbnailFile, PreviewFile, PlaylistName("r"), InitName("r"), SegmentName("r", 0)} {
		if ct := storage.ContentTypeFor(name); !slices.Contains(types, ct) {
			types = append(types, ct)
		}
	}
	return types
}
