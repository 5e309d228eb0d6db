// Package torrent makes the BitTorrent v1 metainfo (.torrent) of one file
// and its magnet link, as PeerTube publishes them for each video file:
// web seeded from the file's own URL (BEP 19), so a client downloads from
// the server when no peer has the pieces.
package torrent

import (
	"bytes"
	"fmt"
	"io"
	"net/url"

	"github.com/anacrolix/torrent/bencode"
	"github.com/anacrolix/torrent/metainfo"
)

// File describes the file a torrent is made for.
type File struct {
	// Name is the name clients save the file under.
	Name string
	Size int64
	// WebSeed is the file's URL; empty for a torrent whose web seed is
	// set when it is served (WithSources).
	WebSeed string
	// Announce is the tracker peers meet at; empty for none.
	Announce string
}

// Torrent is a made metainfo file.
type Torrent struct {
	Metainfo []byte
	// InfoHash is the v1 info hash (SHA-1 of the info dictionary), in
	// hexadecimal: what magnet links name the torrent by.
	InfoHash string
}

// createdBy says which software made the torrent, as PeerTube does.
const createdBy = "Cuttle"

// Make reads the file's Size bytes from r and returns its torrent.
func Make(r io.Reader, f File) (Torrent, error) {
	info := metainfo.Info{Name: f.Name, Length: f.Size, PieceLength: metainfo.ChoosePieceLength(f.Size)}
	var err error
	if info.Pieces, err = metainfo.GeneratePieces(io.LimitReader(r, f.Size), info.PieceLength, nil); err != nil {
		return Torrent{}, fmt.Errorf("torrent: hash the pieces of %s: %w", f.Name, err)
	}
	if got := int64(len(info.Pieces) / 20); got != (f.Size+info.PieceLength-1)/info.PieceLength {
		return Torrent{}, fmt.Errorf("torrent: %s is shorter than its %d bytes", f.Name, f.Size)
	}
	mi := metainfo.MetaInfo{CreatedBy: createdBy}
	if f.WebSeed != "" {
		mi.UrlList = []string{f.WebSeed}
	}
	if mi.InfoBytes, err = bencode.Marshal(info); err != nil {
		return Torrent{}, fmt.Errorf("torrent: encode the info of %s: %w", f.Name, err)
	}
	var b bytes.Buffer
	if err := mi.Write(&b); err != nil {
		return Torrent{}, fmt.Errorf("torrent: encode %s: %w", f.Name, err)
	}
	return Torrent{Metainfo: b.Bytes(), InfoHash: mi.HashInfoBytes().HexString()}, nil
}

// WithSources returns the metainfo file mi with f's web seed and, when f
// has one, its tracker. The info hash does not change: both are outside
// the info dictionary, so a torrent made once can follow its file's URL
// and its video's tracker.
func WithSources(mi []byte, f File) ([]byte, error) {
	m, err := metainfo.Load(bytes.NewReader(mi))
	if err != nil {
		return nil, fmt.Errorf("torrent: read metainfo: %w", err)
	}
	m.UrlList = []string{f.WebSeed}
	m.Announce = f.Announce
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		return nil, fmt.Errorf("torrent: encode metainfo: %w", err)
	}
	return b.Bytes(), nil
}

// Magnet is the magnet link of a torrent: its info hash (xt), the name
// to show (dn), the web seed (ws), the tracker (tr) when f has one, and
// where the metainfo file itself is (xs).
func Magnet(infoHash, displayName, torrentURL string, f File) (string, error) {
	var h metainfo.Hash
	if err := h.FromHexString(infoHash); err != nil {
		return "", fmt.Errorf("torrent: info hash %q: %w", infoHash, err)
	}
	m := metainfo.Magnet{InfoHash: h, DisplayName: displayName,
		Params: url.Values{"ws": {f.WebSeed}, "xs": {torrentURL}}}
	if f.Announce != "" {
		m.Trackers = []string{f.Announce}
	}
	return m.String(), nil
}
