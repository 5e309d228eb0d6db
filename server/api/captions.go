package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/captions"
	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/languages"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
)

// Captions:
//
//	GET /api/v1/videos/{id}/captions
//	PUT|DELETE /api/v1/videos/{id}/captions/{captionLanguage}   (multipart field captionfile)
//
// The files themselves are media, served by delivery.
func (s *server) captionRoutes(v1 *gin.RouterGroup) {
	v1.GET("/videos/:id/captions", s.listCaptions)
	v1.PUT("/videos/:id/captions/:lang", session.RequireUser, s.putCaption)
	v1.DELETE("/videos/:id/captions/:lang", session.RequireUser, s.deleteCaption)
}

// captionJSON follows PeerTube's VideoCaption.
type captionJSON struct {
	Language               idLabel[string] `json:"language"`
	CaptionPath            string          `json:"captionPath"`
	FileURL                string          `json:"fileUrl"`
	M3U8URL                string          `json:"m3u8Url,omitempty"`
	AutomaticallyGenerated bool            `json:"automaticallyGenerated"`
	UpdatedAt              time.Time       `json:"updatedAt"`
}

// caption renders a caption for a viewer who may see v: the files of a
// private video carry a file token for them, as its images do.
func (s *server) caption(v *database.Video, c *database.Caption, q string) captionJSON {
	p := media.CaptionPath(v.UUID, c.Language) + q
	out := captionJSON{
		Language:    idLabel[string]{ID: c.Language, Label: languages.Label(c.Language)},
		CaptionPath: p, FileURL: s.PublicURL + p, UpdatedAt: c.UpdatedAt,
	}
	if v.State == database.StatePublished {
		out.M3U8URL = s.URLs.HLS(v, media.CaptionPlaylist(c.Language)) + q
	}
	return out
}

func (s *server) listCaptions(c *gin.Context) {
	v, cs, err := s.Captions.List(c.Request.Context(), session.Viewer(c), c.Param("id"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	out := list[captionJSON]{Total: len(cs), Data: make([]captionJSON, 0, len(cs))}
	q := s.URLs.Query(v)
	for i := range cs {
		out.Data = append(out.Data, s.caption(v, &cs[i], q))
	}
	c.JSON(http.StatusOK, out)
}

// putCaption reads the multipart form as a stream and hands the
// captionfile part to the rules, which bound its size.
func (s *server) putCaption(c *gin.Context) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		httpserve.Fail(c, problem.New(http.StatusUnsupportedMediaType, "send the caption as multipart/form-data in the field captionfile"))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, captions.MaxFileSize+1<<20)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		httpserve.Fail(c, problem.BadRequest("malformed form: %v", err))
		return
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			httpserve.Fail(c, problem.Invalid(map[string]string{"captionfile": "is required"}))
			return
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpserve.Fail(c, problem.New(http.StatusRequestEntityTooLarge, "a caption file may hold at most %d MiB", captions.MaxFileSize>>20))
			return
		}
		if err != nil {
			httpserve.Fail(c, problem.BadRequest("malformed form: %v", err))
			return
		}
		if part.FormName() != "captionfile" {
			part.Close()
			continue
		}
		_, err = s.Captions.Put(c.Request.Context(), session.Viewer(c), c.Param("id"), c.Param("lang"), part)
		part.Close()
		if err != nil {
			httpserve.Fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
		return
	}
}

func (s *server) deleteCaption(c *gin.Context) {
	if err := s.Captions.Delete(c.Request.Context(), session.Viewer(c), c.Param("id"), c.Param("lang")); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
