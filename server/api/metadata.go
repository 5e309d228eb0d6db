package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/images"
	"cuttle.video/server/problem"
	"cuttle.video/server/videos"
)

// formFields collects text fields of a multipart or urlencoded form.
type formFields map[string][]string

var (
	tagFieldRE      = regexp.MustCompile(`^tags(\[\d*\])?$`)
	passwordFieldRE = regexp.MustCompile(`^videoPasswords(\[\d*\])?$`)
)

// fieldNames are the text fields of video forms besides tags and
// passwords; others are ignored.
var fieldNames = map[string]bool{
	"name": true, "description": true, "support": true, "language": true, "channelId": true,
	"privacy": true, "category": true, "licence": true, "commentsPolicy": true, "nsfw": true,
	"commentsEnabled": true, "downloadEnabled": true, "waitTranscoding": true, "originallyPublishedAt": true,
}

func knownField(name string) bool {
	return fieldNames[name] || tagFieldRE.MatchString(name) || passwordFieldRE.MatchString(name)
}

func (f formFields) add(name, value string) {
	if !knownField(name) {
		return
	}
	switch {
	case tagFieldRE.MatchString(name):
		name = "tags"
	case passwordFieldRE.MatchString(name):
		name = "videoPasswords"
	}
	f[name] = append(f[name], value)
}

// metadata converts form strings into the typed metadata, naming every
// field that does not parse.
func (f formFields) metadata() (*videos.Metadata, error) {
	m := &videos.Metadata{}
	bad := map[string]string{}
	str := func(name string) *string {
		if v, ok := f[name]; ok {
			return &v[0]
		}
		return nil
	}
	integer := func(name string) *int {
		s := str(name)
		if s == nil || *s == "" {
			return nil
		}
		n, err := strconv.Atoi(*s)
		if err != nil {
			bad[name] = "must be an integer"
			return nil
		}
		return &n
	}
	boolean := func(name string) *bool {
		s := str(name)
		if s == nil || *s == "" {
			return nil
		}
		b, err := strconv.ParseBool(*s)
		if err != nil {
			bad[name] = "must be true or false"
			return nil
		}
		return &b
	}
	m.Name, m.Description, m.Support, m.Language = str("name"), str("description"), str("support"), str("language")
	if id := integer("channelId"); id != nil {
		ch := int64(*id)
		m.ChannelID = &ch
	}
	m.Privacy, m.Category, m.Licence = integer("privacy"), integer("category"), integer("licence")
	m.CommentsPolicy = integer("commentsPolicy")
	m.NSFW, m.CommentsEnabled = boolean("nsfw"), boolean("commentsEnabled")
	m.DownloadEnabled, m.WaitTranscoding = boolean("downloadEnabled"), boolean("waitTranscoding")
	if tags, ok := f["tags"]; ok {
		m.Tags = &tags
	}
	if ps, ok := f["videoPasswords"]; ok {
		m.VideoPasswords = &ps
	}
	if s := str("originallyPublishedAt"); s != nil && *s != "" {
		t, err := time.Parse(time.RFC3339, *s)
		if err != nil {
			bad["originallyPublishedAt"] = "must be an RFC 3339 date"
		}
		m.OriginallyPublishedAt = &t
	}
	if len(bad) > 0 {
		return nil, problem.Invalid(bad)
	}
	return m, nil
}

// maxFieldSize bounds one text field of a form, so fields cannot be used
// to make the server buffer large bodies in memory.
const maxFieldSize = 64 << 10

// maxFieldsSize bounds all text fields of one form together.
const maxFieldsSize = 256 << 10

func readField(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFieldSize+1))
	if err != nil {
		return "", problem.BadRequest("the form was cut while reading field %q", name).WithErr(err)
	}
	if len(b) > maxFieldSize {
		return "", problem.Invalid(map[string]string{name: "is too long"})
	}
	return string(b), nil
}

// metadataFromRequest reads video metadata from JSON or a form.
func (s *server) metadataFromRequest(c *gin.Context) (*videos.Metadata, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch {
	case mt == "application/json":
		m := &videos.Metadata{}
		return m, httpserve.DecodeJSON(c, m)
	case mt == "multipart/form-data" || mt == "application/x-www-form-urlencoded":
		// Room for the fields and for both images (see chosenImages).
		limit := int64(1<<20 + 2*images.MaxFileSize)
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		if err := c.Request.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
			if errors.As(err, new(*http.MaxBytesError)) {
				return nil, problem.New(http.StatusRequestEntityTooLarge, "the form is larger than the maximum of %d bytes", limit)
			}
			return nil, problem.BadRequest("malformed form: %v", err)
		}
		f := formFields{}
		for name, vs := range c.Request.PostForm {
			for _, v := range vs {
				f.add(name, v)
			}
		}
		return f.metadata()
	default:
		return nil, problem.New(http.StatusUnsupportedMediaType,
			"send application/json or a form, not %q", strings.TrimSpace(fmt.Sprint(mt)))
	}
}
