// Package delivery serves media bytes under PeerTube's paths: the HLS
// files of public videos at file speed, those of private videos with a
// file token and rewritten playlists, the images, captions and
// storyboards that follow their video's privacy, the avatars and banners
// of accounts and channels, the original as a web video file with its
// torrent and their downloads, the renditions' downloads and the MP4
// made of a video's streams on demand, the player bundle, the signed
// mount of local media storage that runners and presigned URLs use, and
// the P2P tracker through which viewers share segments. With S3, segment
// requests are redirected to presigned URLs, so their bytes never pass
// through the server.
package delivery

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/media"
	"cuttle.video/server/p2p"
	"cuttle.video/server/session"
	"cuttle.video/server/tracker"
	"cuttle.video/server/videos"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
)

// Deps is everything delivery needs, built by the composition root.
type Deps struct {
	Sessions *session.Sessions
	Videos   *videos.Service
	// Store holds the media. Redirect says to answer requests for
	// segments and images with a redirect to a presigned URL (S3)
	// rather than relay their bytes.
	Store    storage.Store
	Redirect bool
	// URLs addresses a video's files, for the web seeds of torrents.
	URLs *media.URLs
	// Storage serves the signed URLs of local media storage under
	// StoragePath; nil with S3.
	Storage     http.Handler
	StoragePath string
	// P2P and Tracker serve peer-to-peer delivery; Tracker is nil when
	// the admin turned P2P off.
	P2P     *p2p.Service
	Tracker *tracker.Tracker
}

type server struct{ Deps }

// Mount registers delivery's routes on r.
func Mount(r *gin.Engine, d Deps) {
	s := &server{Deps: d}
	r.GET("/player/*file", compressedAssets(), playerAssets())
	r.GET(media.GenerateDownloadRoute+":videoId", s.generateDownload)
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		r.Handle(m, media.HLSRoute+":uuid/:file", s.hlsFile)
		r.Handle(m, media.PrivateHLSRoute+":uuid/:file", s.privateHLSFile)
		r.Handle(m, media.ThumbnailRoute+":file", s.image(job.ThumbnailFile))
		r.Handle(m, media.PreviewRoute+":file", s.image(job.PreviewFile))
		r.Handle(m, media.CaptionRoute+":file", s.captionFile)
		r.Handle(m, media.StoryboardRoute+":file", s.storyboardFile)
		r.Handle(m, media.WebVideoRoute+":file", s.webVideo(false))
		r.Handle(m, media.PrivateWebVideoRoute+":file", s.webVideo(true))
		r.Handle(m, media.TorrentRoute+":file", s.torrent(false))
		r.Handle(m, media.DownloadWebVideoRoute+":file", s.downloadOriginal)
		r.Handle(m, media.DownloadTorrentRoute+":file", s.torrent(true))
		r.Handle(m, media.DownloadHLSRoute+":file", s.downloadRendition)
		for _, p := range media.Pictures {
			r.Handle(m, p.Route+":file", s.picture(p))
		}
	}
	if d.Storage != nil {
		r.Any(d.StoragePath+"/*key", gin.WrapH(http.StripPrefix(d.StoragePath, d.Storage)))
	}
	if d.Tracker != nil {
		r.GET(p2p.TrackerPath, s.trackerSocket)
	}
}
