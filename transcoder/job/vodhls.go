package job

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/google/uuid"

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
	// Name labels the rung, e.g. "720p" or "audio".
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

// Resolution is the rendition's resolution as PeerTube counts it, the
// smaller side of the picture (so a portrait 720x1280 video is 720p),
// and 0 for sound alone. It is part of the rendition's file names.
func (r Rendition) Resolution() int {
	if r.AudioOnly() {
		return 0
	}
	return min(r.Width, r.Height)
}

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
	// Master is the name of the master playlist, which the server writes
	// over the renditions once it has checked them: workers leave it
	// empty. Results stored before the fragmented layout have none
	// either, and their master is LegacyMasterPlaylist.
	Master string `json:"master,omitempty"`
}

// RenditionResult describes a finished rendition, enough to write the
// master playlist.
type RenditionResult struct {
	Rendition
	// File is the rendition's fragmented MP4: its initialisation section
	// followed by every segment, which the playlist addresses by byte
	// range. Empty in results of the layout before it (see Legacy).
	File string `json:"file,omitempty"`
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
	// InfoHash is the v1 info hash of the torrent of File, which the
	// server makes once it has the file; workers leave it empty.
	InfoHash string `json:"infoHash,omitempty"`
}

// The names of the files in a video's HLS directory, PeerTube's: each
// rendition is one fragmented MP4, "{id}-{resolution}-fragmented.mp4",
// with its media playlist "{id}-{resolution}.m3u8"; beside them the
// master playlist "{id}-master.m3u8" and the segment hash map
// "{id}-segments-sha256.json". Every id is a fresh random UUID, so a new
// transcoding never overwrites a file a viewer or a CDN may hold, and no
// two files of a video can collide. Workers choose the ids of the files
// they write and the server checks the names against this grammar; the
// server chooses the master's.

const (
	// ThumbnailFile and PreviewFile are the video's still images.
	ThumbnailFile = "thumbnail.jpg"
	PreviewFile   = "preview.jpg"
)

const (
	fragmentedSuffix = "-fragmented.mp4"
	playlistSuffix   = ".m3u8"
	masterSuffix     = "-master.m3u8"
	segmentsSuffix   = "-segments-sha256.json"
)

// NewFileID is a fresh random id for a file name.
func NewFileID() string { return uuid.NewString() }

// FragmentedName is a rendition's fragmented MP4.
func FragmentedName(id string, resolution int) string {
	return id + "-" + strconv.Itoa(resolution) + fragmentedSuffix
}

// PlaylistName is the media playlist of the rendition whose fragmented
// MP4 is FragmentedName(id, resolution).
func PlaylistName(id string, resolution int) string {
	return id + "-" + strconv.Itoa(resolution) + playlistSuffix
}

// MasterName is a master playlist.
func MasterName(id string) string { return id + masterSuffix }

// SegmentsName is a segment hash map: for each fragmented MP4, the
// sha256 of each segment by its byte range, "start-end" with end
// included, as PeerTube writes it and peers look it up.
func SegmentsName(id string) string { return id + segmentsSuffix }

// SegmentHashes is the content of a segment hash map.
type SegmentHashes map[string]map[string]string

// ByteRange names a segment's bytes in SegmentHashes.
func ByteRange(offset, length int64) string {
	return strconv.FormatInt(offset, 10) + "-" + strconv.FormatInt(offset+length-1, 10)
}

const idPattern = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`

var (
	renditionFileRE = regexp.MustCompile(`^(` + idPattern + `)-(0|[1-9][0-9]{0,4})(` +
		regexp.QuoteMeta(fragmentedSuffix) + `|` + regexp.QuoteMeta(playlistSuffix) + `)$`)
	masterRE   = regexp.MustCompile(`^` + idPattern + regexp.QuoteMeta(masterSuffix) + `$`)
	segmentsRE = regexp.MustCompile(`^` + idPattern + regexp.QuoteMeta(segmentsSuffix) + `$`)
)

// FragmentedFile tells whether name is a rendition's fragmented MP4 and,
// if so, gives its id and resolution.
func FragmentedFile(name string) (id string, resolution int, ok bool) {
	m := renditionFileRE.FindStringSubmatch(name)
	if m == nil || m[3] != fragmentedSuffix {
		return "", 0, false
	}
	resolution, _ = strconv.Atoi(m[2])
	return m[1], resolution, true
}

// ValidMasterName and ValidSegmentsName tell whether a name is one
// MasterName and SegmentsName make.
func ValidMasterName(name string) bool   { return masterRE.MatchString(name) }
func ValidSegmentsName(name string) bool { return segmentsRE.MatchString(name) }

// renditionName is the grammar of rendition names, which only label a
// rung of the ladder (in logs, on the jobs page) and name no file.
var renditionNameRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// ValidRenditionName tells whether name may name a rendition: letters,
// digits and _ only.
func ValidRenditionName(name string) bool { return renditionNameRE.MatchString(name) }

// VODHLSOutputTypes lists the content types of the files a VODHLS job
// writes, which is what its upload grant must allow.
func VODHLSOutputTypes() []string {
	id := NewFileID()
	types := []string{}
	for _, name := range []string{SegmentsName(id), ThumbnailFile, PreviewFile, PlaylistName(id, 720), FragmentedName(id, 720)} {
		if ct := storage.ContentTypeFor(name); !slices.Contains(types, ct) {
			types = append(types, ct)
		}
	}
	return types
}

// Legacy names: before the fragmented layout, each rendition NAME was
// an init segment NAME-init.mp4 and media segments NAME-00000.m4s
// onwards, listed by NAME.m3u8 beside master.m3u8 and a flat hash map,
// segments-sha256.json. Videos transcoded then keep those files until
// the server repackages them; nothing writes them any more.
const (
	LegacyMasterPlaylist = "master.m3u8"
	LegacySegmentsFile   = "segments-sha256.json"
)

// Legacy tells whether res was written in the layout before the
// fragmented one.
func (res *VODHLSResult) Legacy() bool {
	return len(res.Renditions) > 0 && res.Renditions[0].File == ""
}

// MasterPlaylist is the name of res's master playlist.
func (res *VODHLSResult) MasterPlaylist() string {
	if res.Master == "" {
		return LegacyMasterPlaylist
	}
	return res.Master
}

// LegacyFiles lists, in playing order, the init segment and the media
// segments of a rendition of a legacy result.
func LegacyFiles(r RenditionResult) []string {
	names := []string{r.Name + "-init.mp4"}
	for i := range r.Segments {
		names = append(names, fmt.Sprintf("%s-%05d.m4s", r.Name, i))
	}
	return names
}
