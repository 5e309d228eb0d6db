package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/languages"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

func (s *server) listVideos(c *gin.Context) { s.videoListFor(c, videos.ListParams{}) }

func (s *server) getVideo(c *gin.Context) {
	v, err := s.Videos.Get(c.Request.Context(), session.Viewer(c), c.Param("id"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	j, err := s.Jobs.Latest(c.Request.Context(), v.ID)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.videoDetails(v, j, videos.CanManage(session.Viewer(c), v)))
}

func (s *server) getVideoDescription(c *gin.Context) {
	v, err := s.Videos.Get(c.Request.Context(), session.Viewer(c), c.Param("id"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"description": v.Description})
}

// updateVideo takes JSON, or the multipart form PeerTube's web client
// sends, which may replace the thumbnail and the preview. The images are
// checked before anything changes.
func (s *server) updateVideo(c *gin.Context) {
	m, err := s.metadataFromRequest(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	chosen, err := s.chosenImages(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	defer chosen.Remove()
	v, err := s.Videos.Update(c.Request.Context(), session.Viewer(c), c.Param("id"), m)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	if chosen != nil {
		if err := s.Images.Store(c.Request.Context(), v.ID, chosen); err != nil {
			httpserve.Fail(c, err)
			return
		}
	}
	c.Status(http.StatusNoContent)
}

func (s *server) deleteVideo(c *gin.Context) {
	if err := s.Videos.Delete(c.Request.Context(), session.Viewer(c), c.Param("id")); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) labels(m map[int]string) gin.HandlerFunc {
	out := map[string]string{}
	for id, label := range m {
		out[strconv.Itoa(id)] = label
	}
	return func(c *gin.Context) { c.JSON(http.StatusOK, out) }
}

// videoLanguages is PeerTube's GET /api/v1/videos/languages: code to
// English name.
func (s *server) videoLanguages(c *gin.Context) { c.JSON(http.StatusOK, languages.All()) }
