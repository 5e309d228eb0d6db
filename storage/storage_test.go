package storage_test

import (
	"errors"
	"testing"

	"cuttle.video/storage"
)

func TestValidateKey(t *testing.T) {
	for _, k := range []string{"a", "videos/7f3c/source.mp4", "a b/c", ".hidden/x", "a..b/c"} {
		if err := storage.ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v", k, err)
		}
	}
	for _, k := range []string{"", "/abs", "../x", "a/../b", "a/./b", "a//b", "a/", ".", "..", `a\b`, "a\x00b"} {
		if err := storage.ValidateKey(k); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	for _, p := range []string{"", "videos/", "videos/ab", "a/b/c/"} {
		if err := storage.ValidatePrefix(p); err != nil {
			t.Errorf("ValidatePrefix(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"/", "/abs/", "../", "a//", "a/./", "a/../"} {
		if err := storage.ValidatePrefix(p); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("ValidatePrefix(%q) = %v, want ErrInvalidKey", p, err)
		}
	}
}

func TestValidateRange(t *testing.T) {
	for _, c := range []struct {
		rng        *storage.Range
		size       int64
		start, end int64
	}{
		{nil, 10, 0, 9},
		{&storage.Range{Start: 0, End: -1}, 10, 0, 9},
		{&storage.Range{Start: 3, End: 5}, 10, 3, 5},
		{&storage.Range{Start: 3, End: 50}, 10, 3, 9},
		{&storage.Range{Start: 9, End: 9}, 10, 9, 9},
	} {
		start, end, err := storage.ValidateRange(c.rng, c.size)
		if err != nil || start != c.start || end != c.end {
			t.Errorf("ValidateRange(%+v, %d) = %d, %d, %v", c.rng, c.size, start, end, err)
		}
	}
	for _, c := range []struct {
		rng  storage.Range
		size int64
	}{
		{storage.Range{Start: 10, End: -1}, 10},
		{storage.Range{Start: 0, End: -1}, 0},
		{storage.Range{Start: 5, End: 4}, 10},
		{storage.Range{Start: -1, End: 4}, 10},
	} {
		if _, _, err := storage.ValidateRange(&c.rng, c.size); !errors.Is(err, storage.ErrInvalidRange) {
			t.Errorf("ValidateRange(%+v, %d) = %v, want ErrInvalidRange", c.rng, c.size, err)
		}
	}
}

func TestEscapeKey(t *testing.T) {
	if got := storage.EscapeKey("videos/a b/c?d#e%.mp4"); got != "videos/a%20b/c%3Fd%23e%25.mp4" {
		t.Errorf("EscapeKey = %q", got)
	}
}

func TestContentTypeFor(t *testing.T) {
	for key, want := range map[string]string{
		"a/source.mp4":   "video/mp4",
		"a/SOURCE.MP4":   "video/mp4",
		"hls/0001.m4s":   "video/iso.segment",
		"hls/720.m3u8":   "application/vnd.apple.mpegurl",
		"meta.json":      "application/json",
		"thumb.jpg":      "image/jpeg",
		"thumb.png":      "image/png",
		"thumb.webp":     "image/webp",
		"subs/en.vtt":    "text/vtt",
		"blob":           "application/octet-stream",
		"archive.tar.gz": "application/octet-stream",
	} {
		if got := storage.ContentTypeFor(key); got != want {
			t.Errorf("ContentTypeFor(%q) = %q, want %q", key, got, want)
		}
	}
}
