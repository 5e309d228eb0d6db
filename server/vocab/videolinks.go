package vocab

import (
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// links reads url[]: watch pages, web video files, the HLS playlist and
// trackers. Entries of other kinds or with bad URLs are left out.
func (w videoInJSON) links(v *Video) error {
	var items []json.RawMessage
	if err := json.Unmarshal(orNullRaw(w.URL), &items); err != nil || items == nil {
		return errors.New("url is not an array")
	}
	if len(items) > maxLinks {
		return fmt.Errorf("url has %d entries, more than %d", len(items), maxLinks)
	}
	links := decodeLinks(items)
	v.WebVideo = files(links)
	for _, l := range links {
		switch {
		case l.MediaType == mediaHTML:
			if v.WatchURL == "" && checkURL(l.Href) == nil && SameOrigin(l.Href, v.ID) {
				v.WatchURL = l.Href
			}
		case l.MediaType == mediaHLS && v.HLS == nil:
			if checkURL(l.Href) == nil {
				v.HLS = playlist(l)
			}
		case slices.Contains(l.Rel, "tracker"):
			if trackerURL(l.Href) {
				v.Trackers = append(v.Trackers, l.Href)
			}
		}
	}
	return nil
}

func decodeLinks(items []json.RawMessage) []linkInJSON {
	var out []linkInJSON
	for _, item := range items {
		var l linkInJSON
		if isObject(item) && json.Unmarshal(item, &l) == nil && (l.Type == "Link" || l.Type == "Infohash") {
			out = append(out, l)
		}
	}
	return out
}

func playlist(l linkInJSON) *Playlist {
	if len(l.Tag) > maxLinks {
		l.Tag = l.Tag[:maxLinks]
	}
	tags := decodeLinks(l.Tag)
	p := &Playlist{MasterURL: l.Href, Files: files(tags)}
	for _, t := range tags {
		switch {
		case t.Type == "Infohash" && isHex(t.Name, 40):
			p.InfoHashes = append(p.InfoHashes, strings.ToLower(t.Name))
		case t.Name == sha256LinkName && t.MediaType == mediaJSON && checkURL(t.Href) == nil && p.SegmentsSHA256URL == "":
			p.SegmentsSHA256URL = t.Href
		}
	}
	return p
}

// files reads the media files of a list of links, with the torrent and
// magnet links of the same height, as PeerTube pairs them.
func files(links []linkInJSON) []File {
	var out []File
	for _, l := range links {
		if !strings.HasPrefix(l.MediaType, "video/") && !strings.HasPrefix(l.MediaType, "audio/") {
			continue
		}
		if l.Height == nil || *l.Height < 0 || l.Size < 0 || l.FPS < 0 || checkURL(l.Href) != nil {
			continue
		}
		f := File{URL: l.Href, MediaType: l.MediaType, Height: *l.Height, Width: l.Width, Size: l.Size, FPS: l.FPS}
		for _, a := range l.Attachment {
			if a.Name == codecTypeProp && (a.Value == "audio" || a.Value == "video") {
				f.CodecType = a.Value
			}
		}
		for _, t := range links {
			if t.Height == nil || *t.Height != f.Height {
				continue
			}
			switch {
			case t.MediaType == mediaTorrent && f.TorrentURL == "" && checkURL(t.Href) == nil:
				f.TorrentURL = t.Href
			case t.MediaType == mediaMagnet && f.MagnetURI == "":
				if h, ok := magnetInfoHash(t.Href); ok {
					f.MagnetURI, f.InfoHash = t.Href, h
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// magnetInfoHash reads the BitTorrent v1 info hash of a magnet link, hex
// or base32, as lower-case hex.
func magnetInfoHash(s string) (string, bool) {
	if len(s) > maxURLLen*4 {
		return "", false
	}
	q, ok := strings.CutPrefix(s, "magnet:?")
	if !ok {
		return "", false
	}
	values, err := url.ParseQuery(q)
	if err != nil {
		return "", false
	}
	for _, xt := range values["xt"] {
		h, ok := strings.CutPrefix(xt, "urn:btih:")
		if !ok {
			continue
		}
		switch {
		case isHex(h, 40):
			return strings.ToLower(h), true
		case len(h) == 32:
			b, err := base32.StdEncoding.DecodeString(strings.ToUpper(h))
			if err == nil {
				return hex.EncodeToString(b), true
			}
		}
	}
	return "", false
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// trackerURL accepts the trackers a player may use: HTTP announce URLs
// and WebSocket ones.
func trackerURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || len(s) > maxURLLen || u.Host == "" || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss":
		return true
	}
	return false
}
