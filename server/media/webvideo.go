package media

import (
	"encoding/json"
	"path"
	"regexp"
	"strconv"
	"strings"

	"cuttle.video/server/database"
	"cuttle.video/transcoder/probe"
)

// PeerTube lists, until a video is transcoded, its uploaded original as a
// "web video" file: one file a client can fetch with ranges, download,
// or get through BitTorrent with the torrent made when it was stored.
// Cuttle serves the stored original under PeerTube's web video routes,
// by a name derived from its video; once the video is published its
// files are the HLS renditions only, as on a PeerTube instance that
// transcodes to HLS alone.

// Routes of web video files and their torrents, PeerTube's. Each takes
// the name WebVideoFile or TorrentFile builds.
const (
	WebVideoRoute         = "/static/web-videos/"
	PrivateWebVideoRoute  = WebVideoRoute + "private/"
	TorrentRoute          = "/lazy-static/torrents/"
	DownloadWebVideoRoute = "/download/web-videos/"
	DownloadTorrentRoute  = "/download/torrents/"
)

// OriginalTorrentKey is where the torrent of a video's original is
// stored, beside it.
func OriginalTorrentKey(videoUUID string) string {
	return OriginalPrefix(videoUUID) + "original.torrent"
}

// ListsOriginal tells whether v's files are its original, as a web video
// file: until it is published.
func ListsOriginal(v *database.Video) bool {
	return v.State != database.StatePublished && v.OriginalKey != ""
}

// WebVideoFile names v's original on the web video routes as PeerTube
// names web video files, "{uuid}-{resolution}{ext}", with the extension
// of what the original really is.
func WebVideoFile(v *database.Video) string {
	return v.UUID + "-" + strconv.Itoa(v.Height) + originalExt(v)
}

// TorrentFile names the torrent of v's original, "{uuid}-{resolution}.torrent".
func TorrentFile(v *database.Video) string {
	return v.UUID + "-" + strconv.Itoa(v.Height) + ".torrent"
}

// WebVideoPath is the path of v's original on this server: under the
// private route, which needs a file token, unless its files are public.
func WebVideoPath(v *database.Video) string {
	if PublicFiles(v.Privacy) {
		return WebVideoRoute + WebVideoFile(v)
	}
	return PrivateWebVideoRoute + WebVideoFile(v)
}

// TorrentName is the name a torrent client saves v's original under,
// PeerTube's: "{video name} {resolution}p{ext}", without the characters
// file systems refuse.
func TorrentName(v *database.Video) string {
	return unsafeName.ReplaceAllString(v.Name, "-") + " " + strconv.Itoa(v.Height) + "p" + originalExt(v)
}

var unsafeName = regexp.MustCompile(`[/\\?%*:|"<>]`)

var webVideoFileRE = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-[0-9]{1,5}(\.[a-z0-9]{1,7})$`)

// WebVideoUUID returns the video a web video or torrent file name (as
// WebVideoFile and TorrentFile build them) belongs to. The caller checks
// the whole name against the video's.
func WebVideoUUID(name string) (string, bool) {
	m := webVideoFileRE.FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// OriginalProbe is what the probe of v's original found; nil if it is
// not known.
func OriginalProbe(v *database.Video) *probe.Result {
	var p probe.Result
	if v.OriginalProbe == "" || json.Unmarshal([]byte(v.OriginalProbe), &p) != nil {
		return nil
	}
	return &p
}

// originalExt is the extension of what v's original is, by the probe of
// its bytes: the uploader's file name only tells apart the members of a
// family of formats that one demuxer reads.
func originalExt(v *database.Video) string {
	ext := strings.ToLower(path.Ext(v.OriginalKey))
	p := OriginalProbe(v)
	if p == nil {
		return ext
	}
	switch {
	case strings.Contains(p.Format, "mp4"):
		if ext != ".mov" && ext != ".m4a" {
			ext = ".mp4"
		}
	case strings.Contains(p.Format, "webm"):
		if ext != ".webm" {
			ext = ".mkv"
		}
	}
	return ext
}

// File ids. PeerTube gives every video file an integer id, which clients
// send back (the metadata of a file, the files to download). Cuttle keeps
// no row per file: an id is made of its video's id and what the file is
// (the original, or the HLS rendition of a height), so it is the same
// on every replica and for as long as the file exists.
const fileKinds = 1 << 13

// OriginalFileID is the id of v's original as a web video file.
func OriginalFileID(videoID int64) int64 { return videoID*fileKinds + 1 }

// RenditionFileID is the id of the HLS rendition of a height (0 for
// audio only) of a video.
func RenditionFileID(videoID int64, height int) int64 {
	return videoID*fileKinds + 2 + int64(height)
}

// FileOf splits a file id: the video, and the height of the rendition,
// or original true for the original.
func FileOf(fileID int64) (videoID int64, height int, original bool, ok bool) {
	if fileID < fileKinds {
		return 0, 0, false, false
	}
	videoID, kind := fileID/fileKinds, int(fileID%fileKinds)
	switch {
	case kind == 1:
		return videoID, 0, true, true
	case kind >= 2:
		return videoID, kind - 2, false, true
	}
	return 0, 0, false, false
}
