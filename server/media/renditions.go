package media

import (
	"regexp"
	"strconv"

	"cuttle.video/server/database"
	"cuttle.video/transcoder/job"
)

// Each HLS rendition of a published video is one fragmented MP4 (see
// job.FragmentedName), which clients may also fetch whole, by ranges or
// as a download, as they fetch PeerTube's.

// DownloadHLSRoute serves a rendition's file as an attachment, by the
// name RenditionDownloadFile gives, PeerTube's route.
const DownloadHLSRoute = "/download/streaming-playlists/hls/videos/"

// GenerateDownloadRoute takes "{video id}" and, in its videoFileIds
// query, the ids of the files whose streams to mux into one MP4
// download, PeerTube's route.
const GenerateDownloadRoute = "/download/videos/generate/"

// RenditionDownloadFile names the file of v's rendition of a resolution
// on DownloadHLSRoute: "{video uuid}-{resolution}-fragmented.mp4".
func RenditionDownloadFile(v *database.Video, resolution int) string {
	return v.UUID + "-" + strconv.Itoa(resolution) + "-fragmented.mp4"
}

var renditionDownloadRE = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(0|[1-9][0-9]{0,4})-fragmented\.mp4$`)

// RenditionDownload splits a name RenditionDownloadFile built.
func RenditionDownload(name string) (videoUUID string, resolution int, ok bool) {
	m := renditionDownloadRE.FindStringSubmatch(name)
	if m == nil {
		return "", 0, false
	}
	resolution, _ = strconv.Atoi(m[2])
	return m[1], resolution, true
}

// Rendition finds v's published rendition of a resolution, in the
// fragmented layout: a video not repackaged yet has no file to offer.
func Rendition(v *database.Video, resolution int) (job.RenditionResult, bool) {
	return findRendition(v, func(r job.RenditionResult) bool { return r.Resolution() == resolution })
}

// RenditionOfFile finds v's published rendition whose file id
// (RenditionFileID) is fileID, as Rendition does.
func RenditionOfFile(v *database.Video, fileID int64) (job.RenditionResult, bool) {
	return findRendition(v, func(r job.RenditionResult) bool { return RenditionFileID(v.ID, r.Height) == fileID })
}

func findRendition(v *database.Video, match func(job.RenditionResult) bool) (job.RenditionResult, bool) {
	res := Result(v)
	if res == nil || res.Legacy() || v.State != database.StatePublished {
		return job.RenditionResult{}, false
	}
	for _, r := range res.Renditions {
		if match(r) {
			return r, true
		}
	}
	return job.RenditionResult{}, false
}

// RenditionDownloadName is the name a rendition's download is saved
// under: "{video name} {resolution}p.mp4".
func RenditionDownloadName(v *database.Video, resolution int) string {
	return unsafeName.ReplaceAllString(v.Name, "-") + " " + strconv.Itoa(resolution) + "p.mp4"
}
