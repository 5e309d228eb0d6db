package api

import (
	"encoding/json"
	"strconv"

	"cuttle.video/server/database"
	"cuttle.video/server/jobs"
	"cuttle.video/transcoder/job"
)

// streamingPlaylistJSON follows PeerTube's VideoStreamingPlaylists; type
// 1 is HLS.
type streamingPlaylistJSON struct {
	ID                int64           `json:"id"`
	Type              int             `json:"type"`
	PlaylistURL       string          `json:"playlistUrl"`
	SegmentsSha256URL string          `json:"segmentsSha256Url"`
	Files             []videoFileJSON `json:"files"`
	Redundancies      []any           `json:"redundancies"`
}

type videoFileJSON struct {
	Resolution  idLabel[int] `json:"resolution"`
	Size        int64        `json:"size"`
	FPS         float64      `json:"fps"`
	Width       int          `json:"width,omitempty"`
	Height      int          `json:"height,omitempty"`
	PlaylistURL string       `json:"playlistUrl"`
}

// transcodingJSON tells creators where their upload stands.
type transcodingJSON struct {
	State    string  `json:"state"`
	Progress float64 `json:"progress"`
	Attempts int     `json:"attempts"`
	Error    string  `json:"error,omitempty"`
}

// hlsResult decodes a video's last transcoding result; nil before one.
func hlsResult(v *database.Video) *job.VODHLSResult {
	if v.HLS == "" {
		return nil
	}
	var res job.VODHLSResult
	if err := json.Unmarshal([]byte(v.HLS), &res); err != nil {
		return nil
	}
	return &res
}

// mediaURL is the absolute URL of a file of a video's HLS directory: on
// the CDN or public bucket when there is one, else on this server. The
// files of videos that are neither public nor unlisted are only on this
// server's private path, which needs a videoFileToken.
func (s *server) mediaURL(v *database.Video, file string) string {
	if !jobs.PublicFiles(v.Privacy) {
		return s.PublicURL + hlsPath + "private/" + v.UUID + "/" + file
	}
	if u, ok := s.MediaStore.PublicURL(jobs.MediaPrefix(v) + file); ok {
		return u
	}
	return s.PublicURL + hlsPath + v.UUID + "/" + file
}

func (s *server) streamingPlaylists(v *database.Video, res *job.VODHLSResult) []streamingPlaylistJSON {
	if res == nil || v.State != database.StatePublished {
		return []streamingPlaylistJSON{}
	}
	p := streamingPlaylistJSON{
		ID: v.ID, Type: 1, PlaylistURL: s.mediaURL(v, job.MasterPlaylist),
		SegmentsSha256URL: s.mediaURL(v, res.SegmentsSHA256), Redundancies: []any{},
	}
	for _, r := range res.Renditions {
		label := strconv.Itoa(r.Height) + "p"
		if r.AudioOnly() {
			label = "Audio only"
		}
		p.Files = append(p.Files, videoFileJSON{
			Resolution: idLabel[int]{ID: r.Height, Label: label}, Size: r.Size, FPS: r.FPS,
			Width: r.Width, Height: r.Height, PlaylistURL: s.mediaURL(v, r.Playlist),
		})
	}
	return []streamingPlaylistJSON{p}
}

// transcoding is the state of a video's last job; its error only with
// withError.
func transcoding(j *database.Job, withError bool) *transcodingJSON {
	if j == nil {
		return nil
	}
	out := &transcodingJSON{State: jobs.PeerTubeState(j.State), Progress: j.Progress, Attempts: j.Attempts}
	if withError {
		out.Error = j.Error
	}
	return out
}
