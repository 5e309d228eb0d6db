package media

import (
	"encoding/json"

	"cuttle.video/server/database"
)

// RemoteMedia is where a remote video's files are on its origin: none is
// stored here, players and clients fetch them there.
type RemoteMedia struct {
	// WatchURL is the video's page on its origin.
	WatchURL string `json:"watchUrl"`
	// Master and SegmentsSHA256 are its HLS master playlist and the hash
	// map players check segments against.
	Master         string `json:"master"`
	SegmentsSHA256 string `json:"segmentsSha256,omitempty"`
	// Renditions are the HLS files.
	Renditions []RemoteFile `json:"renditions"`
	// Trackers are its origin's trackers: peers watching it from either
	// instance share one swarm.
	Trackers []string `json:"trackers,omitempty"`
	// Thumbnail and Preview are its pictures.
	Thumbnail string `json:"thumbnail,omitempty"`
	Preview   string `json:"preview,omitempty"`
}

// RemoteFile is one rendition of a remote video.
type RemoteFile struct {
	URL        string `json:"url"`
	Height     int    `json:"height"`
	Width      int    `json:"width"`
	Size       int64  `json:"size"`
	FPS        int    `json:"fps"`
	TorrentURL string `json:"torrentUrl,omitempty"`
	MagnetURI  string `json:"magnetUri,omitempty"`
}

// Remote is where v's files are when it is a remote video; nil for a
// local one.
func Remote(v *database.Video) *RemoteMedia {
	if !v.Remote || v.RemoteMedia == "" {
		return nil
	}
	var m RemoteMedia
	if err := json.Unmarshal([]byte(v.RemoteMedia), &m); err != nil {
		return nil
	}
	return &m
}
