package peer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"cuttle.video/player/swarm"
)

// byteRange is a sub-range of a file, its end inclusive, as the HTTP Range
// header, PeerTube's hash map and the browser engine's validator all write
// it.
type byteRange struct {
	Start, End int64
}

func (r byteRange) String() string {
	return strconv.FormatInt(r.Start, 10) + "-" + strconv.FormatInt(r.End, 10)
}

func (r byteRange) len() int64 { return r.End - r.Start + 1 }

// segment is one media segment of the rendition being played: a whole
// file, or a byte range of one (PeerTube's fragmented MP4 per rendition).
type segment struct {
	URL      string
	Name     string // the file's name, the hash map's key
	Range    *byteRange
	Duration float64
	SHA256   string
}

func (s segment) String() string {
	if s.Range == nil {
		return s.Name
	}
	return s.Name + " bytes " + s.Range.String()
}

// mediaPlaylist is what a peer reads from a media playlist.
type mediaPlaylist struct {
	InitURL   string
	InitRange *byteRange
	Segments  []segment
}

// rendition is what a peer needs to know about the stream it shares.
type rendition struct {
	swarm.Stream
	mediaPlaylist
}

// loadRendition reads the master playlist, picks the variant of the given
// height (the first, highest, when 0), and reads its media playlist and
// the segment hash map at hashesURL.
func loadRendition(ctx context.Context, hc *http.Client, masterURL, hashesURL, swarmID string, height int) (*rendition, error) {
	master, err := get(ctx, hc, masterURL, nil, 1<<20)
	if err != nil {
		return nil, err
	}
	streams, err := swarm.Streams(master, swarmID)
	if err != nil {
		return nil, err
	}
	pick := streams[0]
	if height > 0 {
		found := false
		for _, s := range streams {
			if s.Height == height {
				pick, found = s, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("peer: the video has no %dp rendition", height)
		}
	}
	base, err := url.Parse(masterURL)
	if err != nil {
		return nil, err
	}
	mediaURL := resolve(base, pick.URI)
	text, err := get(ctx, hc, mediaURL.String(), nil, 4<<20)
	if err != nil {
		return nil, err
	}
	raw, err := get(ctx, hc, hashesURL, nil, 8<<20)
	if err != nil {
		return nil, err
	}
	hashes, err := parseHashes(raw)
	if err != nil {
		return nil, err
	}
	m, err := parseMedia(text, mediaURL, hashes)
	if err != nil {
		return nil, fmt.Errorf("peer: %s: %w", mediaURL, err)
	}
	return &rendition{Stream: pick, mediaPlaylist: m}, nil
}

// segmentHashes maps a file name, then a byte range ("start-end", or ""
// for the whole file), to the hex SHA-256 of those bytes.
type segmentHashes map[string]map[string]string

// parseHashes reads a segment hash map in either shape: PeerTube's
// {file: {"start-end": hash}} or the older flat {file: hash} of layouts
// where every segment is a file of its own.
func parseHashes(raw []byte) (segmentHashes, error) {
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("peer: segment hash map: %w", err)
	}
	out := make(segmentHashes, len(entries))
	for name, v := range entries {
		var whole string
		if err := json.Unmarshal(v, &whole); err == nil {
			out[name] = map[string]string{"": whole}
			continue
		}
		var ranges map[string]string
		if err := json.Unmarshal(v, &ranges); err != nil {
			return nil, fmt.Errorf("peer: segment hash map: %q is neither a hash nor a map of ranges: %w", name, err)
		}
		out[name] = ranges
	}
	return out, nil
}

func (h segmentHashes) lookup(name string, r *byteRange) string {
	key := ""
	if r != nil {
		key = r.String()
	}
	return h[name][key]
}

// parseMedia reads a VOD media playlist whose segments are files or byte
// ranges of files (RFC 8216 EXT-X-BYTERANGE and EXT-X-MAP's BYTERANGE),
// resolving URIs against mediaURL.
func parseMedia(text []byte, mediaURL *url.URL, hashes segmentHashes) (mediaPlaylist, error) {
	var m mediaPlaylist
	var dur float64
	var next *byteRange // the EXT-X-BYTERANGE of the next segment
	var follows bool    // next has no offset: it continues the previous segment's file
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			attrs := line[len("#EXT-X-MAP:"):]
			uri, ok := quotedAttr(attrs, "URI")
			if !ok {
				return m, errors.New("EXT-X-MAP without a URI")
			}
			m.InitURL = resolve(mediaURL, uri).String()
			if spec, ok := quotedAttr(attrs, "BYTERANGE"); ok {
				// Without an offset the section starts the file: there
				// is no previous segment to follow.
				r, err := parseByteRange(spec, 0, true)
				if err != nil {
					return m, fmt.Errorf("EXT-X-MAP: %w", err)
				}
				m.InitRange = &r
			}
		case strings.HasPrefix(line, "#EXTINF:"):
			d, _, _ := strings.Cut(line[len("#EXTINF:"):], ",")
			dur, _ = strconv.ParseFloat(d, 64)
		case strings.HasPrefix(line, "#EXT-X-BYTERANGE:"):
			// Without an offset the range follows the previous segment's,
			// which must be a range of the same file (checked at the URI).
			var prevEnd int64
			var hasPrev bool
			if n := len(m.Segments); n > 0 && m.Segments[n-1].Range != nil {
				prevEnd, hasPrev = m.Segments[n-1].Range.End+1, true
			}
			spec := line[len("#EXT-X-BYTERANGE:"):]
			r, err := parseByteRange(spec, prevEnd, hasPrev)
			if err != nil {
				return m, fmt.Errorf("EXT-X-BYTERANGE: %w", err)
			}
			next, follows = &r, !strings.Contains(spec, "@")
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			u := resolve(mediaURL, line)
			seg := segment{URL: u.String(), Name: path.Base(u.Path), Range: next, Duration: dur}
			if follows && m.Segments[len(m.Segments)-1].URL != seg.URL {
				return m, fmt.Errorf("the range of %s has no offset but follows a range of another file", seg.Name)
			}
			seg.SHA256 = hashes.lookup(seg.Name, seg.Range)
			m.Segments = append(m.Segments, seg)
			next, follows = nil, false
		}
	}
	if err := sc.Err(); err != nil {
		return m, err
	}
	if len(m.Segments) == 0 {
		return m, errors.New("no segments")
	}
	return m, nil
}

// parseByteRange reads "length[@offset]"; a missing offset is after,
// which only exists when hasAfter.
func parseByteRange(spec string, after int64, hasAfter bool) (byteRange, error) {
	lenText, offText, hasOff := strings.Cut(strings.TrimSpace(spec), "@")
	n, err := strconv.ParseInt(lenText, 10, 64)
	if err != nil || n <= 0 {
		return byteRange{}, fmt.Errorf("bad length in %q", spec)
	}
	start := after
	switch {
	case hasOff:
		if start, err = strconv.ParseInt(offText, 10, 64); err != nil || start < 0 {
			return byteRange{}, fmt.Errorf("bad offset in %q", spec)
		}
	case !hasAfter:
		return byteRange{}, fmt.Errorf("%q has no offset and follows no range", spec)
	}
	return byteRange{Start: start, End: start + n - 1}, nil
}

// quotedAttr returns the value of a quoted attribute of an HLS attribute
// list.
func quotedAttr(attrs, name string) (string, bool) {
	for rest := attrs; rest != ""; {
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return "", false
		}
		key = strings.TrimSpace(key)
		var value string
		if strings.HasPrefix(after, `"`) {
			value, rest, _ = strings.Cut(after[1:], `"`)
			_, rest, _ = strings.Cut(rest, ",")
		} else {
			value, rest, _ = strings.Cut(after, ",")
		}
		if key == name {
			return value, true
		}
	}
	return "", false
}

// resolve keeps the base's query (a file token) on relative references.
func resolve(base *url.URL, ref string) *url.URL {
	u := base.ResolveReference(&url.URL{Path: ref})
	if r, err := url.Parse(ref); err == nil {
		u = base.ResolveReference(r)
		if r.RawQuery == "" {
			u.RawQuery = base.RawQuery
		}
	}
	return u
}

// get fetches a whole file, or only r of it: the server must then answer
// 206 with exactly those bytes.
func get(ctx context.Context, hc *http.Client, u string, r *byteRange, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	want := http.StatusOK
	if r != nil {
		req.Header.Set("Range", "bytes="+r.String())
		want = http.StatusPartialContent
		limit = r.len() + 1 // one more to tell a longer answer
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		return nil, fmt.Errorf("peer: GET %s: %s", describe(u, r), res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("peer: GET %s: %w", describe(u, r), err)
	}
	if r != nil && int64(len(b)) != r.len() {
		return nil, fmt.Errorf("peer: GET %s: %d bytes instead of %d", describe(u, r), len(b), r.len())
	}
	return b, nil
}

func describe(u string, r *byteRange) string {
	if r == nil {
		return u
	}
	return u + " bytes " + r.String()
}

func (s segment) valid(data []byte) bool {
	sum := sha256.Sum256(data)
	return s.SHA256 != "" && hex.EncodeToString(sum[:]) == s.SHA256
}
