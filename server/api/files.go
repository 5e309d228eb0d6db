package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/media"
	"cuttle.video/server/p2p"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/server/torrent"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/probe"
)

// videoFileJSON follows PeerTube's VideoFile: the original while it is
// listed, or an HLS rendition's fragmented MP4.
type videoFileJSON struct {
	ID                 int64        `json:"id"`
	Resolution         idLabel[int] `json:"resolution"`
	Size               int64        `json:"size"`
	FPS                int          `json:"fps"`
	Width              int          `json:"width"`
	Height             int          `json:"height"`
	HasAudio           bool         `json:"hasAudio"`
	HasVideo           bool         `json:"hasVideo"`
	MetadataURL        string       `json:"metadataUrl"`
	PlaylistURL        string       `json:"playlistUrl,omitempty"`
	FileURL            string       `json:"fileUrl,omitempty"`
	FileDownloadURL    string       `json:"fileDownloadUrl,omitempty"`
	TorrentURL         string       `json:"torrentUrl,omitempty"`
	TorrentDownloadURL string       `json:"torrentDownloadUrl,omitempty"`
	MagnetURI          string       `json:"magnetUri,omitempty"`
}

func (s *server) fileRoutes(v1 *gin.RouterGroup) {
	v1.GET("/videos/:id/metadata/:fileId", s.fileMetadata)
}

// resolution labels a height as PeerTube does; 0 is audio only.
func resolution(height int) idLabel[int] {
	if height == 0 {
		return idLabel[int]{ID: 0, Label: "Audio only"}
	}
	return idLabel[int]{ID: height, Label: strconv.Itoa(height) + "p"}
}

func (s *server) metadataURL(v *database.Video, fileID int64) string {
	return s.PublicURL + "/api/v1/videos/" + v.UUID + "/metadata/" + strconv.FormatInt(fileID, 10)
}

func (s *server) renditionFile(v *database.Video, r job.RenditionResult, token string) videoFileJSON {
	id := media.RenditionFileID(v.ID, r.Height)
	f := videoFileJSON{
		ID: id, Resolution: resolution(r.Resolution()), Size: r.Size, FPS: int(math.Round(r.FPS)),
		Width: r.Width, Height: r.Height, HasAudio: r.HasAudio, HasVideo: !r.AudioOnly(),
		MetadataURL: s.metadataURL(v, id), PlaylistURL: s.URLs.HLS(v, r.Playlist),
	}
	if r.File == "" {
		return f
	}
	q := media.TokenQuery(token)
	f.FileURL = s.URLs.HLS(v, r.File) + q
	f.FileDownloadURL = s.URLs.RenditionDownload(v, r.Resolution()) + q
	if r.InfoHash != "" {
		torrentURL := s.URLs.RenditionTorrent(v, r.Resolution()) + q
		magnet, err := torrent.Magnet(r.InfoHash, media.RenditionDownloadName(v, r.Resolution()), torrentURL,
			p2p.RenditionTorrent(s.URLs, v, r, token, s.Tracker != nil))
		if err == nil {
			f.TorrentURL, f.TorrentDownloadURL, f.MagnetURI = torrentURL, s.URLs.RenditionTorrentDownload(v, r.Resolution())+q, magnet
		}
	}
	return f
}

// files is the video's files outside streaming playlists: its original
// as a web video file until it is published, none after, as PeerTube
// lists them when it transcodes to HLS alone. The torrent's addresses
// are there once it is made: PeerTube's CLI waits for them after an
// upload.
func (s *server) files(v *database.Video) []videoFileJSON {
	if !media.ListsOriginal(v) {
		return []videoFileJSON{}
	}
	id := media.OriginalFileID(v.ID)
	f := videoFileJSON{
		ID: id, Resolution: resolution(v.Height), Size: v.OriginalSize,
		Width: v.Width, Height: v.Height, MetadataURL: s.metadataURL(v, id),
	}
	if p := media.OriginalProbe(v); p != nil {
		f.HasAudio, f.HasVideo = p.Audio != nil, p.Video != nil
		if p.Video != nil {
			f.FPS = int(math.Round(p.Video.FPS))
		}
	}
	urls := s.URLs.WebVideo(v)
	f.FileURL, f.FileDownloadURL = urls.File, urls.FileDownload
	if v.OriginalInfoHash != "" {
		if magnet, err := torrent.Magnet(v.OriginalInfoHash, v.Name, urls.Torrent, torrent.File{WebSeed: f.FileURL}); err == nil {
			f.TorrentURL, f.TorrentDownloadURL, f.MagnetURI = urls.Torrent, urls.TorrentDownload, magnet
		}
	}
	return []videoFileJSON{f}
}

// ffprobeJSON is PeerTube's VideoFileMetadata: ffprobe's output for a
// file. Cuttle keeps what its probe and its transcoding learnt rather
// than all ffprobe says, so the fields are ffprobe's, but fewer.
type ffprobeJSON struct {
	Streams  []ffprobeStream `json:"streams"`
	Format   ffprobeFormat   `json:"format"`
	Chapters []any           `json:"chapters"`
}

type ffprobeStream struct {
	Index        int    `json:"index"`
	CodecType    string `json:"codec_type"`
	CodecName    string `json:"codec_name,omitempty"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	AvgFrameRate string `json:"avg_frame_rate,omitempty"`
	Channels     int    `json:"channels,omitempty"`
	SampleRate   string `json:"sample_rate,omitempty"`
}

type ffprobeFormat struct {
	FormatName string `json:"format_name,omitempty"`
	NbStreams  int    `json:"nb_streams"`
	Duration   string `json:"duration"`
	Size       string `json:"size"`
	BitRate    string `json:"bit_rate,omitempty"`
}

// fileMetadata serves the metadataUrl of a video's file.
func (s *server) fileMetadata(c *gin.Context) {
	v, err := s.Videos.Get(c.Request.Context(), session.Viewer(c), c.Param("id"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	fileID, _ := strconv.ParseInt(c.Param("fileId"), 10, 64)
	videoID, height, original, ok := media.FileOf(fileID)
	var out *ffprobeJSON
	switch {
	case !ok || videoID != v.ID:
	case original && media.ListsOriginal(v):
		out = originalMetadata(v, media.OriginalProbe(v))
	case !original && v.State == database.StatePublished:
		out = renditionMetadata(media.Result(v), height)
	}
	if out == nil {
		httpserve.Fail(c, problem.NotFound("video file"))
		return
	}
	c.JSON(http.StatusOK, out)
}

func originalMetadata(v *database.Video, p *probe.Result) *ffprobeJSON {
	if p == nil {
		return nil
	}
	out := &ffprobeJSON{Chapters: []any{}, Format: ffprobeFormat{
		FormatName: p.Format, Duration: seconds(p.Duration), Size: strconv.FormatInt(v.OriginalSize, 10),
	}}
	if p.Duration > 0 {
		out.Format.BitRate = strconv.FormatInt(int64(float64(v.OriginalSize)*8/p.Duration), 10)
	}
	if p.Video != nil {
		out.Streams = append(out.Streams, ffprobeStream{CodecType: "video", CodecName: p.Video.Codec,
			Width: p.Video.Width, Height: p.Video.Height, AvgFrameRate: frameRate(p.Video.FPS)})
	}
	if p.Audio != nil {
		out.Streams = append(out.Streams, ffprobeStream{Index: len(out.Streams), CodecType: "audio",
			CodecName: p.Audio.Codec, Channels: p.Audio.Channels, SampleRate: strconv.Itoa(p.Audio.SampleRate)})
	}
	out.Format.NbStreams = len(out.Streams)
	return out
}

func renditionMetadata(res *job.VODHLSResult, height int) *ffprobeJSON {
	if res == nil {
		return nil
	}
	for _, r := range res.Renditions {
		if r.Height != height {
			continue
		}
		out := &ffprobeJSON{Chapters: []any{}, Format: ffprobeFormat{
			FormatName: "hls", Duration: seconds(res.Duration), Size: strconv.FormatInt(r.Size, 10),
			BitRate: strconv.Itoa(r.AverageBandwidth),
		}}
		for _, codec := range strings.Split(r.Codecs, ",") {
			st := ffprobeStream{Index: len(out.Streams), CodecName: codecNames[strings.SplitN(codec, ".", 2)[0]]}
			if st.CodecName == "aac" || st.CodecName == "opus" {
				st.CodecType = "audio"
			} else {
				st.CodecType, st.Width, st.Height, st.AvgFrameRate = "video", r.Width, r.Height, frameRate(r.FPS)
			}
			out.Streams = append(out.Streams, st)
		}
		out.Format.NbStreams = len(out.Streams)
		return out
	}
	return nil
}

// codecNames maps the RFC 6381 codec tags of HLS playlists to ffprobe's
// codec names.
var codecNames = map[string]string{
	"avc1": "h264", "avc3": "h264", "hvc1": "hevc", "hev1": "hevc", "av01": "av1", "vp09": "vp9",
	"mp4a": "aac", "opus": "opus", "Opus": "opus",
}

func seconds(d float64) string { return strconv.FormatFloat(d, 'f', 6, 64) }

// frameRate writes a rate as ffprobe does, a fraction: 30000/1001 for
// 29.97.
func frameRate(fps float64) string {
	if fps <= 0 {
		return ""
	}
	if r := math.Round(fps); math.Abs(fps-r) < 0.001 {
		return strconv.Itoa(int(r)) + "/1"
	}
	return strconv.Itoa(int(math.Round(fps*1001))) + "/1001"
}
