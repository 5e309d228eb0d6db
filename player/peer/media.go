package peer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"cuttle.video/player/swarm"
)

// segment is one media segment of the rendition being played.
type segment struct {
	URL      string
	Name     string
	Duration float64
	SHA256   string
}

// rendition is what a peer needs to know about the stream it shares.
type rendition struct {
	swarm.Stream
	InitURL  string
	Segments []segment
}

// loadRendition reads the master playlist, picks the variant of the given
// height (the first, highest, when 0), and reads its media playlist and
// the segment hashes.
func loadRendition(ctx context.Context, hc *http.Client, masterURL, swarmID string, height int) (*rendition, error) {
	master, err := get(ctx, hc, masterURL, 1<<20)
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
	media, err := get(ctx, hc, mediaURL.String(), 4<<20)
	if err != nil {
		return nil, err
	}
	r := &rendition{Stream: pick}
	hashesURL := resolve(base, "segments-sha256.json")
	raw, err := get(ctx, hc, hashesURL.String(), 8<<20)
	if err != nil {
		return nil, err
	}
	var hashes map[string]string
	if err := json.Unmarshal(raw, &hashes); err != nil {
		return nil, fmt.Errorf("peer: segments-sha256.json: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(media))
	var dur float64
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			attrs := line[len("#EXT-X-MAP:"):]
			if i := strings.Index(attrs, `URI="`); i >= 0 {
				uri, _, _ := strings.Cut(attrs[i+5:], `"`)
				r.InitURL = resolve(mediaURL, uri).String()
			}
		case strings.HasPrefix(line, "#EXTINF:"):
			d, _, _ := strings.Cut(line[len("#EXTINF:"):], ",")
			dur, _ = strconv.ParseFloat(d, 64)
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			u := resolve(mediaURL, line)
			name := path.Base(u.Path)
			r.Segments = append(r.Segments, segment{URL: u.String(), Name: name, Duration: dur, SHA256: hashes[name]})
		}
	}
	if len(r.Segments) == 0 {
		return nil, fmt.Errorf("peer: %s lists no segments", mediaURL)
	}
	return r, nil
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

func get(ctx context.Context, hc *http.Client, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("peer: GET %s: %s", u, res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("peer: GET %s: %w", u, err)
	}
	return b, nil
}

func (s segment) valid(data []byte) bool {
	sum := sha256.Sum256(data)
	return s.SHA256 != "" && hex.EncodeToString(sum[:]) == s.SHA256
}
