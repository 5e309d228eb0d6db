package videos_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/media/mediatest"
	"cuttle.video/server/videos"
	"cuttle.video/storage"
)

// refusing is a store that fails to take one key, as storage that goes
// away, or a process killed, in the middle of storing an original.
type refusing struct {
	storage.Store
	key string
}

func (r refusing) Put(ctx context.Context, key string, rd io.Reader, size int64, contentType string) error {
	if key == r.key {
		return errors.New("storage went away")
	}
	return r.Store.Put(ctx, key, rd, size, contentType)
}

// The original's torrent is stored, and its info hash recorded, before
// the original itself: a finish that stops once the original is stored
// is resumed from there, and finds the torrent made.
func TestOriginalTorrentGoesFirst(t *testing.T) {
	ctx := context.Background()
	db, st, v := mediatest.Video(t, database.PrivacyPublic)
	path := filepath.Join(t.TempDir(), "original.mp4")
	if err := os.WriteFile(path, make([]byte, 300<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	v.OriginalKey, v.OriginalSize = media.OriginalKey(v.UUID, "clip.mp4"), 300<<10
	if err := db.UpdateVideo(ctx, v, false, "original_key", "original_size"); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)

	err := videos.New(db, refusing{st, v.OriginalKey}, log, videos.WithTorrents()).StoreOriginal(ctx, v, path)
	if err == nil {
		t.Fatal("storing the original succeeded on a store that refused it")
	}
	got, err := db.VideoByID(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.OriginalInfoHash == "" {
		t.Fatal("no torrent recorded before the original")
	}
	if _, err := st.Stat(ctx, media.OriginalTorrentKey(v.UUID)); err != nil {
		t.Fatalf("the torrent is not stored: %v", err)
	}

	s := videos.New(db, st, log, videos.WithTorrents())
	if err := s.StoreOriginal(ctx, got, path); err != nil {
		t.Fatal(err)
	}
	if stored, err := s.OriginalStored(ctx, got.OriginalKey); !stored || err != nil {
		t.Fatalf("the original is not stored: %v", err)
	}
	if again, _ := db.VideoByID(ctx, v.ID); again.OriginalInfoHash != got.OriginalInfoHash {
		t.Errorf("the torrent changed: %s, was %s", again.OriginalInfoHash, got.OriginalInfoHash)
	}
}
