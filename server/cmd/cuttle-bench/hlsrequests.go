package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"cuttle.video/transcoder/pipeline"
	"github.com/grafov/m3u8"
)

// request is one GET of the benchmark, as a player makes it from a media
// playlist: a whole segment file, or the byte range of one segment in a
// rendition's fragmented MP4.
type request struct {
	file string // name in the video's HLS directory
	// ranged requests ask for bytes start to end, inclusive.
	ranged     bool
	start, end int64
}

func (r request) rangeHeader() string { return fmt.Sprintf("bytes=%d-%d", r.start, r.end) }

// mediaPlaylist is one rendition's playlist, by its name in the directory.
type mediaPlaylist struct {
	name string
	pl   *m3u8.MediaPlaylist
}

// readMediaPlaylists decodes every media playlist of an HLS directory;
// master playlists are left out, whatever their name in either layout.
func readMediaPlaylists(dir string) ([]mediaPlaylist, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.m3u8"))
	if err != nil {
		return nil, err
	}
	var out []mediaPlaylist
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		pl, kind, err := m3u8.Decode(*bytes.NewBuffer(data), true)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		if kind == m3u8.MEDIA {
			out = append(out, mediaPlaylist{name: filepath.Base(path), pl: pl.(*m3u8.MediaPlaylist)})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no media playlist in %s: is the server's media storage local, in -data?", dir)
	}
	return out, nil
}

// byteRanges tells whether a playlist names its segments as byte ranges.
func byteRanges(pl *m3u8.MediaPlaylist) bool {
	s := pipeline.MediaSegments(pl)
	return len(s) > 0 && s[0].Limit > 0
}

// segmentRequests lists one request per segment of every playlist, in
// playlist order. The initialization section is left out: players fetch
// it once per rendition, not once per segment.
func segmentRequests(pls []mediaPlaylist) ([]request, error) {
	var out []request
	for _, p := range pls {
		// grafov/m3u8 reads a BYTERANGE without @offset as offset 0,
		// where HLS means "right after the previous range"; requiring
		// each range to follow the previous one of its file rules that
		// misreading out.
		next := map[string]int64{}
		if m := p.pl.Map; m != nil && m.Limit > 0 {
			next[m.URI] = m.Offset + m.Limit
		}
		for i, s := range pipeline.MediaSegments(p.pl) {
			if s.URI == "" || strings.ContainsAny(s.URI, `/\?#`) {
				return nil, fmt.Errorf("%s: segment %d, %q, is not a file of the playlist's directory", p.name, i, s.URI)
			}
			if s.Limit <= 0 {
				out = append(out, request{file: s.URI})
				continue
			}
			if s.Offset != next[s.URI] {
				return nil, fmt.Errorf("%s: segment %d starts at byte %d of %s, not at %d where the previous range ended",
					p.name, i, s.Offset, s.URI, next[s.URI])
			}
			next[s.URI] = s.Offset + s.Limit
			out = append(out, request{file: s.URI, ranged: true, start: s.Offset, end: s.Offset + s.Limit - 1})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the media playlists list no segments")
	}
	return out, nil
}

// wrkScript makes wrk rotate over the requests, as players fetching
// different renditions and positions do, rather than ask for one file
// again and again. Each thread formats them once, in init, so that wrk
// spends no more of the machine's CPU per request than it must.
func wrkScript(prefix string, reqs []request) []byte {
	var b bytes.Buffer
	b.WriteString("local list = {\n")
	for _, r := range reqs {
		if r.ranged {
			fmt.Fprintf(&b, "  {%q, %q},\n", prefix+r.file, r.rangeHeader())
		} else {
			fmt.Fprintf(&b, "  {%q},\n", prefix+r.file)
		}
	}
	b.WriteString(`}
local reqs = {}
local i = 0

function init(args)
  for _, r in ipairs(list) do
    local headers = nil
    if r[2] then
      headers = {Range = r[2]}
    end
    reqs[#reqs + 1] = wrk.format("GET", r[1], headers)
  end
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end
`)
	return b.Bytes()
}

// checkTarget makes every request once and compares the answer with the
// file: 200 and the whole file, or 206 with the range's Content-Range
// and bytes. No target is measured answering errors, and none that
// ignores Range and sends whole files can pass for a fast one.
func checkTarget(ctx context.Context, base, prefix, dir string, reqs []request) error {
	client := newClient()
	defer client.CloseIdleConnections()
	files := map[string][]byte{}
	for _, r := range reqs {
		data, ok := files[r.file]
		if !ok {
			var err error
			if data, err = os.ReadFile(filepath.Join(dir, r.file)); err != nil {
				return err
			}
			files[r.file] = data
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+prefix+r.file, nil)
		if err != nil {
			return err
		}
		what, wantStatus, want := "GET "+r.file, http.StatusOK, data
		if r.ranged {
			if r.end >= int64(len(data)) {
				return fmt.Errorf("%s: range %d-%d is past the file's %d bytes", r.file, r.start, r.end, len(data))
			}
			req.Header.Set("Range", r.rangeHeader())
			what += " " + r.rangeHeader()
			wantStatus, want = http.StatusPartialContent, data[r.start:r.end+1]
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if resp.StatusCode != wantStatus {
			return fmt.Errorf("%s answered %s, want %d", what, resp.Status, wantStatus)
		}
		if r.ranged {
			wantRange := fmt.Sprintf("bytes %d-%d/%d", r.start, r.end, len(data))
			if got := resp.Header.Get("Content-Range"); got != wantRange {
				return fmt.Errorf("%s answered Content-Range %q, want %q", what, got, wantRange)
			}
		}
		if !bytes.Equal(body, want) {
			return fmt.Errorf("%s answered other bytes than the file's", what)
		}
	}
	return nil
}
