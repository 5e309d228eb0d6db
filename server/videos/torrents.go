package videos

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/torrent"
)

// torrentSite is what the torrents of originals name besides the file:
// the server that web seeds them. They announce to no tracker: the
// instance's admits only the HLS swarms of published videos, and an
// original is listed only until its video is published.
type torrentSite struct {
	publicURL string
}

// WithTorrents makes a torrent of each original as it is stored, web
// seeded from the server at publicURL (its configured public_url).
func WithTorrents(publicURL string) Option {
	return func(s *Service) { s.torrents = &torrentSite{publicURL: publicURL} }
}

// OriginalTorrent describes the torrent of v's original: the file it
// shares and where from. The magnet link is made from the same.
func (s *Service) OriginalTorrent(v *database.Video) torrent.File {
	f := torrent.File{Name: media.TorrentName(v), Size: v.OriginalSize}
	if t := s.torrents; t != nil {
		f.WebSeed = t.publicURL + media.WebVideoPath(v)
	}
	return f
}

// originalTorrent makes the torrent of v's original from its local copy
// at path; nil when torrents are off. Hashing every piece reads the
// whole file, which is why it is done once, while the file is still
// local, rather than when the torrent is asked for.
func (s *Service) originalTorrent(v *database.Video, path string) (*torrent.Torrent, error) {
	if s.torrents == nil {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("videos: torrent of %s: %w", v.UUID, err)
	}
	defer f.Close()
	t, err := torrent.Make(f, s.OriginalTorrent(v))
	if err != nil {
		return nil, fmt.Errorf("videos: torrent of %s: %w", v.UUID, err)
	}
	return &t, nil
}

// storeOriginalTorrent stores the torrent beside the original and
// records its info hash.
func (s *Service) storeOriginalTorrent(ctx context.Context, v *database.Video, t *torrent.Torrent) error {
	key := media.OriginalTorrentKey(v.UUID)
	if err := s.media.Put(ctx, key, bytes.NewReader(t.Metainfo), int64(len(t.Metainfo)), ""); err != nil {
		return fmt.Errorf("videos: store %s: %w", key, err)
	}
	v.OriginalInfoHash = t.InfoHash
	return s.db.UpdateVideo(ctx, v, false, "original_info_hash")
}
