// Package storagetest is the contract every storage.Store must honour,
// written once and run against each backend by that backend's tests.
package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
	"time"

	"cuttle.video/storage"
)

// Skip names a subtest of the contract that a backend's test skips, and
// says why; the reason is printed with the skip.
type Skip struct{ Name, Why string }

// Run runs the contract as subtests. newStore is called once per subtest
// and must return an empty store, cleaned up through t.Cleanup. Presigned
// URLs are fetched with net/http, so they must be reachable from the test.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store, skips ...Skip) {
	cases := []struct {
		name string
		fn   func(*testing.T, storage.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"UnknownSize", testUnknownSize},
		{"Overwrite", testOverwrite},
		{"Range", testRange},
		{"Stat", testStat},
		{"List", testList},
		{"Delete", testDelete},
		{"DeletePrefix", testDeletePrefix},
		{"Missing", testMissing},
		{"InvalidKeys", testInvalidKeys},
		{"SizeMismatch", testSizeMismatch},
		{"PresignGet", testPresignGet},
		{"PresignExpired", testPresignExpired},
		{"Large", testLarge},
		{"CancelledPut", testCancelledPut},
		{"Move", testMove},
		{"GrantPut", testGrantPut},
		{"GrantRefusals", testGrantRefusals},
		{"GrantDeclaredType", testGrantDeclaredType},
		{"GrantExpired", testGrantExpired},
		{"GrantDotSegments", testGrantDotSegments},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if i := slices.IndexFunc(skips, func(s Skip) bool { return s.Name == c.name }); i >= 0 {
				t.Skip(skips[i].Why)
			}
			c.fn(t, newStore(t))
		})
	}
}

func testRoundTrip(t *testing.T, s storage.Store) {
	data := randomBytes(1<<20 + 17)
	put(t, s, "videos/abc/source.mp4", data, "video/mp4")
	got, info := get(t, s, "videos/abc/source.mp4", nil)
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatalf("read back %d bytes that differ from the %d written", len(got), len(data))
	}
	if info.Key != "videos/abc/source.mp4" || info.Size != int64(len(data)) || info.ContentType != "video/mp4" {
		t.Fatalf("info = %+v", info)
	}

	// With no content type given, the key's extension decides.
	put(t, s, "videos/abc/hls/master.m3u8", []byte("#EXTM3U\n"), "")
	if _, info := get(t, s, "videos/abc/hls/master.m3u8", nil); info.ContentType != "application/vnd.apple.mpegurl" {
		t.Fatalf("content type of .m3u8 = %q", info.ContentType)
	}

	// An empty object is an object.
	put(t, s, "empty.json", nil, "")
	if got, info := get(t, s, "empty.json", nil); len(got) != 0 || info.Size != 0 {
		t.Fatalf("empty object: %d bytes, info %+v", len(got), info)
	}
}

func testUnknownSize(t *testing.T, s storage.Store) {
	data := randomBytes(300_000)
	if err := s.Put(t.Context(), "thumbs/x.jpg", onlyReader{bytes.NewReader(data)}, -1, "image/jpeg"); err != nil {
		t.Fatalf("Put with size -1: %v", err)
	}
	if got, _ := get(t, s, "thumbs/x.jpg", nil); !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
}

func testOverwrite(t *testing.T, s storage.Store) {
	put(t, s, "a/b.json", []byte(`{"version":1,"padding":"xxxxxxxxxxxx"}`), "application/json")
	put(t, s, "a/b.json", []byte(`{"version":2}`), "application/json")
	if got, info := get(t, s, "a/b.json", nil); string(got) != `{"version":2}` || info.Size != int64(len(got)) {
		t.Fatalf("after overwrite: %q, info %+v", got, info)
	}
}

func testRange(t *testing.T, s storage.Store) {
	data := randomBytes(1000)
	put(t, s, "seg/0001.m4s", data, "")
	for _, c := range []struct {
		rng        storage.Range
		start, end int
	}{
		{storage.Range{Start: 0, End: 0}, 0, 1},
		{storage.Range{Start: 10, End: 19}, 10, 20},
		{storage.Range{Start: 900, End: -1}, 900, 1000},
		{storage.Range{Start: 0, End: -1}, 0, 1000},
		{storage.Range{Start: 999, End: 999}, 999, 1000},
		{storage.Range{Start: 990, End: 5000}, 990, 1000}, // clamped, as in HTTP
	} {
		got, info := get(t, s, "seg/0001.m4s", &c.rng)
		if !bytes.Equal(got, data[c.start:c.end]) {
			t.Errorf("range %+v: got %d bytes, want data[%d:%d]", c.rng, len(got), c.start, c.end)
		}
		if info.Size != int64(len(data)) {
			t.Errorf("range %+v: info.Size = %d, want the whole object's %d", c.rng, info.Size, len(data))
		}
	}
	for _, rng := range []storage.Range{{Start: 1000, End: -1}, {Start: 5000, End: 6000}, {Start: 20, End: 10}, {Start: -1, End: 5}} {
		rc, _, err := s.Get(t.Context(), "seg/0001.m4s", &rng)
		if err == nil {
			rc.Close()
		}
		if !errors.Is(err, storage.ErrInvalidRange) {
			t.Errorf("range %+v: err = %v, want ErrInvalidRange", rng, err)
		}
	}
}

func testStat(t *testing.T, s storage.Store) {
	before := time.Now()
	put(t, s, "thumbs/t.png", randomBytes(4096), "image/png")
	info, err := s.Stat(t.Context(), "thumbs/t.png")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if info.Key != "thumbs/t.png" || info.Size != 4096 || info.ContentType != "image/png" {
		t.Fatalf("Stat = %+v", info)
	}
	// Object stores keep whole seconds, hence the slack.
	if info.LastModified.Before(before.Add(-2*time.Second)) || info.LastModified.After(time.Now().Add(2*time.Second)) {
		t.Fatalf("LastModified = %v, written at %v", info.LastModified, before)
	}
	wantNotFound(t, s, "thumbs/other.png")
	wantNotFound(t, s, "thumbs") // a "directory" is not an object
}

func testList(t *testing.T, s storage.Store) {
	all := []string{"v/1.txt", "v/1/a.m4s", "v/1/b.m4s", "v/10/a.m4s", "v/2/x.json", "w/y.jpg"}
	for _, k := range slices.Backward(all) {
		put(t, s, k, []byte(k), "")
	}
	for _, c := range []struct {
		prefix string
		want   []string
	}{
		{"v/1/", []string{"v/1/a.m4s", "v/1/b.m4s"}},
		{"v/1", []string{"v/1.txt", "v/1/a.m4s", "v/1/b.m4s", "v/10/a.m4s"}},
		{"v/", all[:5]},
		{"", all},
		{"w/y.jpg", []string{"w/y.jpg"}},
		{"x/", nil},
		{"w/y.jpg/", nil},
	} {
		got, err := s.List(t.Context(), c.prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", c.prefix, err)
		}
		if !slices.Equal(keys(got), c.want) {
			t.Errorf("List(%q) = %q, want %q", c.prefix, keys(got), c.want)
		}
		for _, info := range got {
			if info.Size != int64(len(info.Key)) {
				t.Errorf("List(%q): %s has size %d, want %d", c.prefix, info.Key, info.Size, len(info.Key))
			}
		}
	}
}

func testDelete(t *testing.T, s storage.Store) {
	put(t, s, "d/e/f.vtt", []byte("WEBVTT\n"), "")
	put(t, s, "d/g.vtt", []byte("WEBVTT\n"), "")
	if err := s.Delete(t.Context(), "d/e/f.vtt"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantNotFound(t, s, "d/e/f.vtt")
	if _, _, err := s.Get(t.Context(), "d/e/f.vtt", nil); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
	}
	if err := s.Delete(t.Context(), "d/e/f.vtt"); err != nil {
		t.Fatalf("Delete of a deleted key: %v", err)
	}
	if err := s.Delete(t.Context(), "never/was.vtt"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if got, _ := get(t, s, "d/g.vtt", nil); string(got) != "WEBVTT\n" {
		t.Fatal("a neighbour was damaged")
	}
	// The key is usable again after its directory may have been pruned.
	put(t, s, "d/e/f.vtt", []byte("WEBVTT\n\n"), "")
}

func testDeletePrefix(t *testing.T, s storage.Store) {
	for _, k := range []string{"v/1.txt", "v/1/a.m4s", "v/1/deep/b.m4s", "v/10/a.m4s", "v/2/x.json", "w/y.jpg"} {
		put(t, s, k, []byte(k), "")
	}
	step := func(prefix string, want ...string) {
		t.Helper()
		if err := s.DeletePrefix(t.Context(), prefix); err != nil {
			t.Fatalf("DeletePrefix(%q): %v", prefix, err)
		}
		got, err := s.List(t.Context(), "")
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if !slices.Equal(keys(got), want) {
			t.Fatalf("after DeletePrefix(%q): %q, want %q", prefix, keys(got), want)
		}
	}
	step("v/1/", "v/1.txt", "v/10/a.m4s", "v/2/x.json", "w/y.jpg")
	step("nothing/here/", "v/1.txt", "v/10/a.m4s", "v/2/x.json", "w/y.jpg")
	step("v/1", "v/2/x.json", "w/y.jpg")
	step("")
	put(t, s, "v/1/a.m4s", []byte("again"), "")
}

func testMissing(t *testing.T, s storage.Store) {
	if _, _, err := s.Get(t.Context(), "no/such.mp4", nil); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get = %v, want ErrNotFound", err)
	}
	if _, _, err := s.Get(t.Context(), "no/such.mp4", &storage.Range{Start: 0, End: 9}); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("ranged Get = %v, want ErrNotFound", err)
	}
	wantNotFound(t, s, "no/such.mp4")
}

func testInvalidKeys(t *testing.T, s storage.Store) {
	ctx := t.Context()
	for _, key := range []string{"../x", "/abs", "a//b", "a/./b", "a/../b", "", "a/", `a\b`} {
		check := func(op string, err error) {
			t.Helper()
			if !errors.Is(err, storage.ErrInvalidKey) {
				t.Errorf("%s(%q) = %v, want ErrInvalidKey", op, key, err)
			}
		}
		check("Put", s.Put(ctx, key, bytes.NewReader([]byte("x")), 1, ""))
		_, _, err := s.Get(ctx, key, nil)
		check("Get", err)
		_, err = s.Stat(ctx, key)
		check("Stat", err)
		check("Delete", s.Delete(ctx, key))
		_, err = s.PresignGet(ctx, key, time.Minute)
		check("PresignGet", err)
		// Every invalid key is an invalid prefix once a slash ends it.
		_, err = s.GrantPut(ctx, key+"/", []string{storage.ContentTypeFor("x.m4s")}, time.Minute, 1)
		check("GrantPut", err)
	}
	for _, prefix := range []string{"../", "/abs/", "a//", "a/./", "../../etc"} {
		_, err := s.List(ctx, prefix)
		if !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("List(%q) = %v, want ErrInvalidKey", prefix, err)
		}
		if err := s.DeletePrefix(ctx, prefix); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("DeletePrefix(%q) = %v, want ErrInvalidKey", prefix, err)
		}
		if _, err := s.GrantPut(ctx, prefix, []string{storage.ContentTypeFor("x.m4s")}, time.Minute, 1); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("GrantPut(%q) = %v, want ErrInvalidKey", prefix, err)
		}
	}
}

func testSizeMismatch(t *testing.T, s storage.Store) {
	ctx := t.Context()
	if err := s.Put(ctx, "short.bin", onlyReader{bytes.NewReader(make([]byte, 50))}, 100, ""); err == nil {
		t.Fatal("Put of 50 bytes announced as 100 succeeded")
	}
	wantNotFound(t, s, "short.bin")
	if err := s.Put(ctx, "long.bin", onlyReader{bytes.NewReader(make([]byte, 150))}, 100, ""); err == nil {
		t.Fatal("Put of 150 bytes announced as 100 succeeded")
	}
	wantNotFound(t, s, "long.bin")
}

// onlyReader hides everything but Read (bytes.Reader's Seek and Len would
// let a backend take shortcuts that a network body does not allow).
type onlyReader struct{ r *bytes.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func testLarge(t *testing.T, s storage.Store) {
	if testing.Short() {
		t.Skip("large object skipped in -short mode")
	}
	const size = 40 << 20
	src, sum := newStream(size)
	if err := s.Put(t.Context(), "originals/big/source.mp4", src, size, "video/mp4"); err != nil {
		t.Fatalf("Put of %d bytes: %v", size, err)
	}
	got, info := hashOf(t, s, "originals/big/source.mp4")
	if got != sum() || info.Size != size {
		t.Fatalf("large object differs: size %d", info.Size)
	}

	// Unknown size: the backend cannot plan parts in advance.
	src, sum = newStream(12<<20 + 3)
	if err := s.Put(t.Context(), "originals/big/unknown.mp4", src, -1, ""); err != nil {
		t.Fatalf("Put of unknown size: %v", err)
	}
	if got, _ := hashOf(t, s, "originals/big/unknown.mp4"); got != sum() {
		t.Fatal("object of unknown size differs")
	}
}

func testCancelledPut(t *testing.T, s storage.Store) {
	old := []byte("the complete old object")
	put(t, s, "c/kept.mp4", old, "")
	for _, c := range []struct {
		key  string
		size int64
	}{
		{"c/new.mp4", 24 << 20},
		{"c/new-unknown.mp4", -1},
		{"c/kept.mp4", 24 << 20},
	} {
		ctx, cancel := context.WithCancel(t.Context())
		src, _ := newStream(24 << 20)
		err := s.Put(ctx, c.key, &cancelling{r: src, after: 6 << 20, cancel: cancel}, c.size, "")
		cancel()
		if err == nil {
			t.Fatalf("Put(%q) cancelled mid-way succeeded", c.key)
		}
	}
	wantNotFound(t, s, "c/new.mp4")
	wantNotFound(t, s, "c/new-unknown.mp4")
	if got, _ := get(t, s, "c/kept.mp4", nil); !bytes.Equal(got, old) {
		t.Fatalf("cancelled overwrite changed the object to %d bytes", len(got))
	}
}
