package job

import "cuttle.video/storage"

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
