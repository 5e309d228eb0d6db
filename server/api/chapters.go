package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/chapters"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
)

// Chapters:
//
//	GET|PUT /api/v1/videos/{id}/chapters   {"chapters":[{"timecode":s,"title":t}]}
//	GET /api/v1/videos/{id}/chapters.vtt   the same as a WebVTT chapters track
func (s *server) chapterRoutes(v1 *gin.RouterGroup) {
	v1.GET("/videos/:id/chapters", s.getChapters)
	v1.PUT("/videos/:id/chapters", session.RequireUser, s.putChapters)
	v1.GET("/videos/:id/chapters.vtt", s.chaptersVTT)
}

type chaptersJSON struct {
	Chapters []chapters.Chapter `json:"chapters"`
}

func (s *server) getChapters(c *gin.Context) {
	_, cs, err := s.Chapters.Get(c.Request.Context(), session.Viewer(c), c.Param("id"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, chaptersJSON{Chapters: cs})
}

func (s *server) putChapters(c *gin.Context) {
	var body struct {
		Chapters *[]chapters.Chapter `json:"chapters"`
	}
	if err := httpserve.DecodeJSON(c, &body); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if body.Chapters == nil {
		httpserve.Fail(c, problem.Invalid(map[string]string{"chapters": "is required"}))
		return
	}
	if err := s.Chapters.Replace(c.Request.Context(), session.Viewer(c), c.Param("id"), *body.Chapters); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// chaptersVTT serves the track the watch page gives its player. It
// follows the video's privacy as the JSON does, and is not cached, since
// an edit changes it at once.
func (s *server) chaptersVTT(c *gin.Context) {
	v, cs, err := s.Chapters.Get(c.Request.Context(), session.Viewer(c), c.Param("id"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	httpserve.NoSniff(c)
	c.Data(http.StatusOK, "text/vtt; charset=utf-8", chapters.VTT(cs, v.Duration))
}
