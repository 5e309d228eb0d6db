package job

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cuttle.video/storage"
)

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
