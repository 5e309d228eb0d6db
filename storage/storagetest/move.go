package storagetest

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"cuttle.video/storage"
)

// plainStore hides every optional interface of a store, so storage.Move
// takes its generic path.
type plainStore struct{ storage.Store }

func testMove(t *testing.T, s storage.Store) {
	for name, st := range map[string]storage.Store{"native": s, "generic": plainStore{s}} {
		t.Run(name, func(t *testing.T) {
			base := "move-" + name + "/"
			a, b := randomBytes(70_000), randomBytes(10)
			put(t, st, base+"videos/v/hls/seg-1.m4s", a, "")
			put(t, st, base+"videos/v/hls/master.m3u8", b, "")
			put(t, st, base+"private/videos/v/1/hls/master.m3u8", []byte("old"), "")

			if err := storage.Move(t.Context(), st, base+"videos/v/hls/seg-1.m4s", base+"elsewhere/seg.m4s"); err != nil {
				t.Fatalf("Move: %v", err)
			}
			if got, info := get(t, st, base+"elsewhere/seg.m4s", nil); !bytes.Equal(got, a) || info.ContentType != "video/iso.segment" {
				t.Fatalf("moved object: %d bytes, info %+v", len(got), info)
			}
			wantNotFound(t, st, base+"videos/v/hls/seg-1.m4s")
			if err := storage.Move(t.Context(), st, base+"videos/v/hls/seg-1.m4s", base+"x/y.m4s"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("Move of a missing object = %v, want ErrNotFound", err)
			}

			// A whole prefix, replacing what the destination held.
			put(t, st, base+"videos/v/hls/seg-1.m4s", a, "")
			n, err := storage.MovePrefix(t.Context(), st, base+"videos/v/hls/", base+"private/videos/v/1/hls/")
			if err != nil || n != 2 {
				t.Fatalf("MovePrefix = %d, %v; want 2 objects", n, err)
			}
			got, err := st.List(t.Context(), base)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{base + "elsewhere/seg.m4s", base + "private/videos/v/1/hls/master.m3u8", base + "private/videos/v/1/hls/seg-1.m4s"}
			if !slices.Equal(keys(got), want) {
				t.Fatalf("after MovePrefix: %v, want %v", keys(got), want)
			}
			if data, _ := get(t, st, base+"private/videos/v/1/hls/master.m3u8", nil); !bytes.Equal(data, b) {
				t.Fatalf("the destination kept its old object: %q", data)
			}
			// Nothing left to move is not an error.
			if n, err := storage.MovePrefix(t.Context(), st, base+"videos/v/hls/", base+"x/"); n != 0 || err != nil {
				t.Fatalf("MovePrefix of an empty prefix = %d, %v", n, err)
			}
			if _, err := storage.MovePrefix(t.Context(), st, base+"no-slash", base+"x/"); !errors.Is(err, storage.ErrInvalidKey) {
				t.Fatalf("MovePrefix without a trailing slash = %v, want ErrInvalidKey", err)
			}
		})
	}
}
