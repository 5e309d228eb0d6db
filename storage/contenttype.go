package storage

import (
	"path"
	"strings"
)

// contentTypes covers what Cuttle stores. It is deliberately independent of
// mime.TypeByExtension, whose answers depend on the host's mime.types files
// and would make the same key get different types on different machines.
var contentTypes = map[string]string{
	".mp4":  "video/mp4",
	".m4s":  "video/iso.segment",
	".m4a":  "audio/mp4",
	".ts":   "video/mp2t",
	".webm": "video/webm",
	".mov":  "video/quicktime",
	".mkv":  "video/x-matroska",
	".m3u8": "application/vnd.apple.mpegurl",
	".json": "application/json",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".webp": "image/webp",
	".vtt":  "text/vtt",
	// BitTorrent metainfo files, registered by BEP 3's authors with IANA
	// as application/x-bittorrent long ago and served so everywhere.
	".torrent": "application/x-bittorrent",
}

// ContentTypeFor returns the media type for key, derived from its extension
// (case-insensitive), or application/octet-stream when it is not known.
func ContentTypeFor(key string) string {
	if ct, ok := contentTypes[strings.ToLower(path.Ext(key))]; ok {
		return ct
	}
	return "application/octet-stream"
}
