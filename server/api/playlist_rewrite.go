package api

import (
	"bytes"
	"regexp"
)

// uriAttrRE finds the URI attribute of tags such as EXT-X-MAP and
// EXT-X-MEDIA.
var uriAttrRE = regexp.MustCompile(`URI="([^"]*)"`)

// rewritePlaylist passes every URI of an HLS playlist (master or media)
// through f: the lines that are not tags or blank, and the URI
// attributes of tags. Everything else is kept byte for byte.
func rewritePlaylist(pl []byte, f func(uri string) (string, error)) ([]byte, error) {
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
