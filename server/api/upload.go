package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/uploads"
)

func uploadResponse(v *database.Video) gin.H {
	return gin.H{"video": gin.H{"id": v.ID, "uuid": v.UUID, "shortUUID": v.ShortUUID}}
}

// uploadLegacy streams a multipart upload: text fields are kept, the
// videofile part goes straight to a spool file, in whatever order they
// come.
func (s *server) uploadLegacy(c *gin.Context) {
	ctx, u := c.Request.Context(), viewer(c)
	if err := s.Uploads.PrecheckBody(ctx, u, c.Request.ContentLength); err != nil {
		s.fail(c, err)
		return
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		s.fail(c, problem.BadRequest("send the video as multipart/form-data: %v", err))
		return
	}
	fields := formFields{}
	var spool *uploads.Spool
	defer func() { spool.Remove() }()
	var filename string
	fieldBytes := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.fail(c, problem.BadRequest("malformed multipart body: %v", err))
			return
		}
		switch {
		case part.FormName() == "videofile" && spool == nil:
			filename = part.FileName()
			if spool, err = s.Uploads.Spool(ctx, u, part); err != nil {
				s.fail(c, err)
				return
			}
		case part.FileName() == "":
			v, err := readField(part, part.FormName())
			if err != nil {
				s.fail(c, err)
				return
			}
			if fieldBytes += len(v); fieldBytes > maxFieldsSize {
				s.fail(c, problem.New(http.StatusRequestEntityTooLarge, "the form's text fields exceed %d bytes", maxFieldsSize))
				return
			}
			fields.add(part.FormName(), v)
		}
		// Other files (thumbnails) are not used yet; NextPart skips them.
	}
	if spool == nil {
		s.fail(c, problem.Invalid(map[string]string{"videofile": "is required"}))
		return
	}
	m, err := fields.metadata()
	if err != nil {
		s.fail(c, err)
		return
	}
	m.Filename = filename
	v, err := s.Uploads.FinishLegacy(ctx, u, m, spool)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, uploadResponse(v))
}

func (s *server) uploadInit(c *gin.Context) {
	size, err := strconv.ParseInt(c.GetHeader("X-Upload-Content-Length"), 10, 64)
	if err != nil {
		s.fail(c, problem.Invalid(map[string]string{"X-Upload-Content-Length": "header must give the file size in bytes"}))
		return
	}
	m, err := s.metadataFromRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if m.Filename == "" {
		// Forms carry the file name as a field.
		if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/json" {
			m.Filename = c.Request.PostFormValue("filename")
		}
	}
	up, err := s.Uploads.Init(c.Request.Context(), viewer(c), m, size, c.GetHeader("X-Upload-Content-Type"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", s.PublicURL+"/api/v1/videos/upload-resumable?upload_id="+up.ID)
	c.Header("Content-Length", "0")
	c.Status(http.StatusCreated)
}

var (
	chunkRangeRE  = regexp.MustCompile(`^bytes (\d+)-(\d+)/(\d+)$`)
	statusRangeRE = regexp.MustCompile(`^bytes \*/(\d+)$`)
)

func uploadID(c *gin.Context) (string, error) {
	id := c.Query("upload_id")
	if id == "" {
		return "", problem.Invalid(map[string]string{"upload_id": "is required"})
	}
	return id, nil
}

// uploadChunk receives one chunk, or answers a status query (an empty
// body with "Content-Range: bytes */total").
func (s *server) uploadChunk(c *gin.Context) {
	id, err := uploadID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, u := c.Request.Context(), viewer(c)
	cr := c.GetHeader("Content-Range")
	var p *uploads.Progress
	if m := statusRangeRE.FindStringSubmatch(cr); m != nil {
		total, _ := strconv.ParseInt(m[1], 10, 64)
		p, err = s.Uploads.Status(ctx, u, id, total)
	} else if m := chunkRangeRE.FindStringSubmatch(cr); m != nil {
		start, err1 := strconv.ParseInt(m[1], 10, 64)
		end, err2 := strconv.ParseInt(m[2], 10, 64)
		total, err3 := strconv.ParseInt(m[3], 10, 64)
		switch {
		case err1 != nil || err2 != nil || err3 != nil || start > end || end >= total:
			err = problem.Invalid(map[string]string{"Content-Range": fmt.Sprintf("%q is not a valid range of the file", cr)})
		case c.Request.ContentLength < 0:
			err = problem.New(http.StatusLengthRequired, "chunks need a Content-Length header")
		case c.Request.ContentLength != end-start+1:
			err = problem.Invalid(map[string]string{"Content-Length": fmt.Sprintf("is %d but Content-Range covers %d bytes", c.Request.ContentLength, end-start+1)})
		default:
			p, err = s.Uploads.WriteChunk(ctx, u, id, start, end, total, c.Request.Body)
		}
	} else {
		err = problem.Invalid(map[string]string{"Content-Range": "must be \"bytes first-last/total\" or \"bytes */total\""})
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if p.Video != nil {
		c.JSON(http.StatusOK, uploadResponse(p.Video))
		return
	}
	if r := uploads.RangeHeader(p.Stored); r != "" {
		c.Header("Range", r)
	}
	c.Header("Content-Length", "0")
	c.Status(http.StatusPermanentRedirect)
}

func (s *server) uploadCancel(c *gin.Context) {
	id, err := uploadID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.Uploads.Cancel(c.Request.Context(), viewer(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
