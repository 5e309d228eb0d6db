package media

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"cuttle.video/server/database"
	"cuttle.video/server/torrent"
	"cuttle.video/storage"
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
	return job.FragmentedName(v.UUID, resolution)
}

// RenditionTorrentFile names the torrent of v's rendition of a
// resolution on TorrentRoute and DownloadTorrentRoute:
// "{video uuid}-{resolution}-hls.torrent".
func RenditionTorrentFile(v *database.Video, resolution int) string {
	return v.UUID + "-" + strconv.Itoa(resolution) + torrentSuffix
}

const (
	fragmentedSuffix = "-fragmented.mp4"
	torrentSuffix    = "-hls.torrent"
)

var renditionRouteRE = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(0|[1-9][0-9]{0,4})(-fragmented\.mp4|-hls\.torrent)$`)

// RenditionDownload splits a name RenditionDownloadFile built.
func RenditionDownload(name string) (videoUUID string, resolution int, ok bool) {
	return renditionRoute(name, fragmentedSuffix)
}

// RenditionTorrent splits a name RenditionTorrentFile built.
func RenditionTorrent(name string) (videoUUID string, resolution int, ok bool) {
	return renditionRoute(name, torrentSuffix)
}

func renditionRoute(name, suffix string) (string, int, bool) {
	m := renditionRouteRE.FindStringSubmatch(name)
	if m == nil || m[3] != suffix {
		return "", 0, false
	}
	resolution, _ := strconv.Atoi(m[2])
	return m[1], resolution, true
}

// TorrentKey is the name, in its video's media directory, of the torrent
// of rendition r: "{file id}-{resolution}-hls.torrent" beside its file.
func TorrentKey(r job.RenditionResult) string {
	return strings.TrimSuffix(r.File, fragmentedSuffix) + torrentSuffix
}

// MakeTorrents makes the torrent of each rendition of v's result res that
// has none (PeerTube publishes one per video file), reading the
// rendition's file under prefix (v's media directory, or where a job
// wrote it), stores it beside the file, and records its info hash in res
// and its name among res's files. The torrents carry no web seed or
// tracker: the file's URL depends on the video's privacy at the moment
// one is asked for, and both are set then (torrent.WithSources).
func MakeTorrents(ctx context.Context, st storage.Store, prefix string, v *database.Video, res *job.VODHLSResult) error {
	for i, r := range res.Renditions {
		if r.InfoHash != "" || r.File == "" {
			continue
		}
		t, err := makeTorrent(ctx, st, prefix+r.File, torrent.File{Name: RenditionDownloadName(v, r.Resolution()), Size: r.Size})
		if err != nil {
			return fmt.Errorf("media: torrent of %s: %w", r.File, err)
		}
		key := TorrentKey(r)
		if err := st.Put(ctx, prefix+key, bytes.NewReader(t.Metainfo), int64(len(t.Metainfo)), storage.ContentTypeFor(key)); err != nil {
			return fmt.Errorf("media: store %s: %w", key, err)
		}
		res.Renditions[i].InfoHash = t.InfoHash
		res.Files = append(res.Files, key)
	}
	return nil
}

func makeTorrent(ctx context.Context, st storage.Store, key string, f torrent.File) (torrent.Torrent, error) {
	rc, _, err := st.Get(ctx, key, nil)
	if err != nil {
		return torrent.Torrent{}, err
	}
	defer rc.Close()
	return torrent.Make(rc, f)
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
