package api

import (
	"cuttle.video/server/database"
	"cuttle.video/server/jobs"
	"cuttle.video/server/media"
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

// transcodingJSON tells creators where their upload stands.
type transcodingJSON struct {
	State    string  `json:"state"`
	Progress float64 `json:"progress"`
	Attempts int     `json:"attempts"`
	Error    string  `json:"error,omitempty"`
}

func (s *server) streamingPlaylists(v *database.Video, res *job.VODHLSResult) []streamingPlaylistJSON {
	if rm := media.Remote(v); rm != nil && rm.Master != "" {
		p := streamingPlaylistJSON{ID: v.ID, Type: 1, PlaylistURL: rm.Master, SegmentsSha256URL: rm.SegmentsSHA256, Redundancies: []any{}}
		for _, f := range rm.Renditions {
			p.Files = append(p.Files, videoFileJSON{Resolution: resolution(f.Height), Size: f.Size, FPS: f.FPS,
				Width: f.Width, Height: f.Height, HasVideo: f.Height > 0, HasAudio: true,
				FileURL: f.URL, FileDownloadURL: f.URL, TorrentURL: f.TorrentURL, MagnetURI: f.MagnetURI})
		}
		return []streamingPlaylistJSON{p}
	}
	if res == nil || v.State != database.StatePublished {
		return []streamingPlaylistJSON{}
	}
	p := streamingPlaylistJSON{
		ID: v.ID, Type: 1, PlaylistURL: s.URLs.HLS(v, res.MasterPlaylist()),
		SegmentsSha256URL: s.URLs.HLS(v, res.SegmentsSHA256), Redundancies: []any{},
	}
	// One token opens every file of the video.
	token := s.URLs.Token(v)
	for _, r := range res.Renditions {
		p.Files = append(p.Files, s.renditionFile(v, r, token))
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
