package delivery

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/storage"
	"cuttle.video/transcoder/pipeline"
)

// uriAttrRE finds the URI attribute of tags such as EXT-X-MAP and
// EXT-X-MEDIA.
var uriAttrRE = regexp.MustCompile(`URI="([^"]*)"`)

// rewritePlaylist passes every URI of an HLS playlist (master or media)
// through f: the lines that are not tags or blank, and the URI
// attributes of tags. Everything else is kept byte for byte.
func rewritePlaylist(pl []byte, f func(uri string) (string, error)) ([]byte, error) {
	// Players split lines at a lone CR too, and take unquoted URI
	// attributes: either would carry a URI past the checks below. The
	// playlists written here and by the pipeline have neither.
	if bytes.Count(pl, []byte("\r")) != bytes.Count(pl, []byte("\r\n")) {
		return nil, fmt.Errorf("%w: it holds a carriage return inside a line", errForeignURI)
	}
	var out bytes.Buffer
	out.Grow(len(pl) + len(pl)/2)
	var ferr error
	for _, line := range bytes.SplitAfter(pl, []byte("\n")) {
		body := bytes.TrimRight(line, "\r\n")
		eol := line[len(body):]
		trimmed := bytes.TrimSpace(body)
		switch {
		case len(trimmed) == 0:
			out.Write(line)
		case trimmed[0] == '#':
			if bytes.Count(bytes.ToUpper(body), []byte("URI=")) != len(uriAttrRE.FindAllIndex(body, -1)) {
				return nil, fmt.Errorf("%w: an unquoted URI in %q", errForeignURI, body)
			}
			out.Write(uriAttrRE.ReplaceAllFunc(body, func(m []byte) []byte {
				uri, err := f(string(uriAttrRE.FindSubmatch(m)[1]))
				if err != nil && ferr == nil {
					ferr = err
				}
				return []byte(`URI="` + uri + `"`)
			}))
			out.Write(eol)
		default:
			uri, err := f(string(trimmed))
			if err != nil {
				return nil, err
			}
			out.WriteString(uri)
			out.Write(eol)
		}
	}
	if ferr != nil {
		return nil, ferr
	}
	return out.Bytes(), nil
}

// readPlaylist reads a playlist from media storage. On failure the
// answer is written and ok is false.
func (s *server) readPlaylist(c *gin.Context, key string) (body []byte, ok bool) {
	body, err := storage.ReadAll(c.Request.Context(), s.Store, key, pipeline.MaxPlaylistSize)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		httpserve.Fail(c, problem.NotFound("file"))
		return nil, false
	case err != nil:
		httpserve.Fail(c, problem.Internal(err))
		return nil, false
	}
	return body, true
}

// errForeignURI refuses playlists that name something other than a file
// of their own directory.
var errForeignURI = errors.New("the playlist names a file outside its directory")

// localURI accepts only the names of files of the playlist's directory.
// Playlists are checked when their job completes, so anything else was
// written to storage since; passing it on would send every viewer to
// another host.
func localURI(uri string) error {
	if !mediaFileRE.MatchString(uri) {
		return fmt.Errorf("%w: %q", errForeignURI, uri)
	}
	return nil
}

// playlistProblem is the answer to a playlist that could not be served.
func playlistProblem(err error) *problem.Problem {
	if errors.Is(err, errForeignURI) {
		return problem.New(http.StatusInternalServerError, "%s", errForeignURI.Error()).WithErr(err)
	}
	return problem.Internal(err)
}
