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
	"cuttle.video/server/httpserve"
	"cuttle.video/server/images"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/server/uploads"
)

func uploadResponse(v *database.Video) gin.H {
	return gin.H{"video": gin.H{"id": v.ID, "uuid": v.UUID, "shortUUID": v.ShortUUID}}
}

// Bounds of a legacy upload form besides its files' contents. The
// standard library allows each part up to 10 MiB of headers and any
// number of parts, which a client could use to make the server hold
// memory for names it then throws away.
const (
	// maxFormBytes bounds the form's bytes outside file contents: part
	// headers (with the field names), text fields and boundaries.
	maxFormBytes = 512 << 10
	// maxFormParts bounds the number of parts; a form has a few dozen
	// fields at most (with up to 100 video passwords).
	maxFormParts = 256
)

var errFormTooLarge = problem.New(http.StatusRequestEntityTooLarge,
	"the form's fields and part headers exceed %d bytes", maxFormBytes)

// formBudget reads a multipart body, failing once more than its budget
// was read outside file contents, which the caller marks by setting
// inFile while it reads one.
type formBudget struct {
	io.ReadCloser
	left     int64
	inFile   bool
	exceeded bool
}

func (b *formBudget) Read(p []byte) (int, error) {
	if b.inFile {
		return b.ReadCloser.Read(p)
	}
	if b.left <= 0 {
		b.exceeded = true
		return 0, errFormTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// file runs read with the budget lifted, for a file part's content.
func (b *formBudget) file(read func() error) error {
	b.inFile = true
	defer func() { b.inFile = false }()
	return read()
}

// refusal is the answer to a form that failed while being read: too
// large when it went over budget, err otherwise.
func (b *formBudget) refusal(err error) error {
	if b.exceeded {
		return errFormTooLarge
	}
	return err
}

// uploadLegacy streams a multipart upload: known text fields are kept,
// the videofile part goes straight to a spool file, in whatever order
// they come; other parts are read through and dropped.
func (s *server) uploadLegacy(c *gin.Context) {
	ctx, u := c.Request.Context(), session.Viewer(c)
	if err := s.Uploads.PrecheckBody(ctx, u, c.Request.ContentLength); err != nil {
		httpserve.Fail(c, err)
		return
	}
	budget := &formBudget{ReadCloser: c.Request.Body, left: maxFormBytes}
	c.Request.Body = budget
	mr, err := c.Request.MultipartReader()
	if err != nil {
		httpserve.Fail(c, problem.BadRequest("send the video as multipart/form-data: %v", err))
		return
	}
	fields := formFields{}
	var spool *uploads.Spool
	defer func() { spool.Remove() }()
	var chosen *images.Set
	defer func() { chosen.Remove() }()
	var filename string
	fieldBytes := 0
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			httpserve.Fail(c, budget.refusal(problem.BadRequest("malformed multipart body: %v", err)))
			return
		}
		if parts == maxFormParts {
			httpserve.Fail(c, problem.New(http.StatusRequestEntityTooLarge, "the form has more than %d parts", maxFormParts))
			return
		}
		switch {
		case part.FormName() == "videofile" && spool == nil:
			filename = part.FileName()
			err = budget.file(func() (err error) {
				spool, err = s.Uploads.Spool(ctx, u, part)
				return err
			})
			if err != nil {
				httpserve.Fail(c, err)
				return
			}
		case imageField(part.FormName()) != nil:
			err = budget.file(func() (err error) {
				chosen, err = s.Images.FromClient(ctx, chosen, *imageField(part.FormName()), part)
				return err
			})
			if err != nil {
				httpserve.Fail(c, err)
				return
			}
		case part.FileName() != "":
			err = budget.file(func() error {
				_, err := io.Copy(io.Discard, part)
				return err
			})
			if err != nil {
				httpserve.Fail(c, problem.BadRequest("the form was cut while reading file %q", part.FormName()).WithErr(err))
				return
			}
		case knownField(part.FormName()):
			v, err := readField(part, part.FormName())
			if err != nil {
				httpserve.Fail(c, budget.refusal(err))
				return
			}
			if fieldBytes += len(v); fieldBytes > maxFieldsSize {
				httpserve.Fail(c, problem.New(http.StatusRequestEntityTooLarge, "the form's text fields exceed %d bytes", maxFieldsSize))
				return
			}
			fields.add(part.FormName(), v)
		}
		// NextPart reads unknown fields through, within the budget.
	}
	if spool == nil {
		httpserve.Fail(c, problem.Invalid(map[string]string{"videofile": "is required"}))
		return
	}
	m, err := fields.metadata()
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	m.Filename = filename
	v, err := s.Uploads.FinishLegacy(ctx, u, m, spool, chosen)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, uploadResponse(v))
}

func (s *server) uploadInit(c *gin.Context) {
	size, err := strconv.ParseInt(c.GetHeader("X-Upload-Content-Length"), 10, 64)
	if err != nil {
		httpserve.Fail(c, problem.Invalid(map[string]string{"X-Upload-Content-Length": "header must give the file size in bytes"}))
		return
	}
	m, err := s.metadataFromRequest(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	if m.Filename == "" {
		// Forms carry the file name as a field.
		if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/json" {
			m.Filename = c.Request.PostFormValue("filename")
		}
	}
	chosen, err := s.chosenImages(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	defer chosen.Remove()
	up, err := s.Uploads.Init(c.Request.Context(), session.Viewer(c), m, size, c.GetHeader("X-Upload-Content-Type"), chosen)
	if err != nil {
		httpserve.Fail(c, err)
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
		httpserve.Fail(c, err)
		return
	}
	ctx, u := c.Request.Context(), session.Viewer(c)
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
		httpserve.Fail(c, err)
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
		httpserve.Fail(c, err)
		return
	}
	if err := s.Uploads.Cancel(c.Request.Context(), session.Viewer(c), id); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
