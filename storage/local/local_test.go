package local_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cuttle.video/storage"
	"cuttle.video/storage/local"
	"cuttle.video/storage/storagetest"
)

// newServed returns a store under a fresh directory whose handler is served
// the way the server mounts it, so presigned URLs work end to end.
func newServed(t *testing.T) (*local.Store, string) {
	t.Helper()
	dir := t.TempDir()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	secret := make([]byte, 32)
	rand.Read(secret)
	st, err := local.New(local.Config{
		Dir: dir, BaseURL: srv.URL + "/storage", Secret: secret,
		// Several tests provoke server-side failures on purpose.
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	mux.Handle(st.MountPath()+"/", http.StripPrefix(st.MountPath(), st.Handler()))
	return st, dir
}

func TestContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		st, _ := newServed(t)
		return st
	})
}

func TestNewValidatesConfig(t *testing.T) {
	secret := bytes.Repeat([]byte{1}, 32)
	if _, err := local.New(local.Config{BaseURL: "/s", Secret: secret}); err == nil {
		t.Error("New without Dir succeeded")
	}
	if _, err := local.New(local.Config{Dir: t.TempDir(), BaseURL: "/s", Secret: []byte("short")}); err == nil {
		t.Error("New with a 5-byte secret succeeded")
	}
	dir := filepath.Join(t.TempDir(), "made", "here")
	st, err := local.New(local.Config{Dir: dir, BaseURL: "https://media.example/storage/", Secret: secret})
	if err != nil {
		t.Fatalf("New with a missing directory: %v", err)
	}
	defer st.Close()
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("directory not created: %v", err)
	}
	if got := st.MountPath(); got != "/storage" {
		t.Errorf("MountPath = %q, want /storage", got)
	}
	u, err := st.PresignGet(t.Context(), "videos/a b/1.mp4", 60e9)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	if !strings.HasPrefix(u, "https://media.example/storage/videos/a%20b/1.mp4?expires=") || !strings.Contains(u, "&sig=") {
		t.Errorf("presigned URL = %q", u)
	}
	if _, ok := st.PublicURL("videos/a.mp4"); ok {
		t.Error("PublicURL reported a public address")
	}
	if _, err := st.PresignGet(t.Context(), "x.mp4", 0); err == nil {
		t.Error("PresignGet with ttl 0 succeeded")
	}
}

// tempFiles lists what Put leaves behind when it fails to clean up.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".cuttle-tmp-") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	return out
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

func TestFailedPutLeavesNothing(t *testing.T) {
	st, dir := newServed(t)
	ctx := t.Context()
	if err := st.Put(ctx, "a/b/c.mp4", &failingReader{n: 1 << 20}, -1, ""); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	if err := st.Put(ctx, "a/b/d.mp4", bytes.NewReader(make([]byte, 10)), 20, ""); err == nil {
		t.Fatal("Put with a short body succeeded")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := st.Put(cctx, "a/b/e.mp4", bytes.NewReader(make([]byte, 10)), 10, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context = %v", err)
	}
	if left := tempFiles(t, dir); len(left) > 0 {
		t.Fatalf("temporary files left: %q", left)
	}
	objs, err := st.List(ctx, "")
	if err != nil || len(objs) != 0 {
		t.Fatalf("List after failed puts = %v, %v", objs, err)
	}
}

func TestTempNamesAreReserved(t *testing.T) {
	st, _ := newServed(t)
	err := st.Put(t.Context(), "a/.cuttle-tmp-0123", strings.NewReader("x"), 1, "")
	if !errors.Is(err, storage.ErrInvalidKey) {
		t.Fatalf("Put of a temporary name = %v, want ErrInvalidKey", err)
	}
}

func TestDeletePrunesDirectories(t *testing.T) {
	st, dir := newServed(t)
	ctx := t.Context()
	for _, k := range []string{"videos/v1/hls/720/0.m4s", "videos/v1/hls/720/1.m4s", "videos/v1/thumb.jpg", "videos/v2/x.mp4"} {
		if err := st.Put(ctx, k, strings.NewReader("x"), 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	// A directory with no files in it is also cleaned away.
	if err := os.MkdirAll(filepath.Join(dir, "videos", "v1", "empty", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := st.DeletePrefix(ctx, "videos/v1/"); err != nil {
		t.Fatalf("DeletePrefix: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "videos", "v1")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("videos/v1 still exists: %v", err)
	}
	if err := st.Delete(ctx, "videos/v2/x.mp4"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("the root itself must stay: %v", err)
	}
	if len(entries) != 0 {
		t.Fatalf("root not empty after deleting everything: %v", entries)
	}
}

// escapeFixture plants a symbolic link inside the store that points at a
// directory outside it holding a secret.
func escapeFixture(t *testing.T, dir string) string {
	t.Helper()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("top secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "file-link.txt")); err != nil {
		t.Fatal(err)
	}
	return outside
}

func TestSymlinksCannotEscape(t *testing.T) {
	st, dir := newServed(t)
	outside := escapeFixture(t, dir)
	ctx := t.Context()
	for _, key := range []string{"link/secret.txt", "file-link.txt"} {
		if rc, _, err := st.Get(ctx, key, nil); err == nil {
			b, _ := io.ReadAll(rc)
			rc.Close()
			t.Errorf("Get(%q) read %q through a symlink", key, b)
		}
		if _, err := st.Stat(ctx, key); err == nil {
			t.Errorf("Stat(%q) followed a symlink out of the store", key)
		}
	}
	if err := st.Put(ctx, "link/planted.txt", strings.NewReader("x"), 1, ""); err == nil {
		t.Error("Put wrote through a symlink out of the store")
	}
	if _, err := os.Stat(filepath.Join(outside, "planted.txt")); err == nil {
		t.Error("a file was created outside the store")
	}
	objs, err := st.List(ctx, "")
	if err != nil || len(objs) != 0 {
		t.Errorf("List = %v, %v; symlinks are not objects", objs, err)
	}
	if err := st.DeletePrefix(ctx, ""); err != nil {
		t.Errorf("DeletePrefix: %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "secret.txt")); err != nil {
		t.Errorf("the file outside was removed: %v", err)
	}
}

func TestConcurrentPutAndDelete(t *testing.T) {
	st, _ := newServed(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Go(func() {
			for j := range 25 {
				key := "race/dir/sub/" + string(rune('a'+i)) + ".json"
				if err := st.Put(ctx, key, strings.NewReader("{}"), 2, ""); err != nil {
					errs <- err
					return
				}
				if j%2 == 0 {
					if err := st.Delete(ctx, key); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
