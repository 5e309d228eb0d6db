package local

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"cuttle.video/storage"
)

func newTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := New(Config{Dir: dir, BaseURL: "/storage", Secret: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dir
}

func writeSource(t *testing.T, data string) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "out.m4s")
	if err := os.WriteFile(src, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

func checkImported(t *testing.T, st *Store, dir, src, key, want string) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil || string(got) != want {
		t.Fatalf("object %q = %q, %v", key, got, err)
	}
	if _, err := os.Stat(src); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("source still there: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if isTempName(e.Name()) {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

func TestImportFileRenames(t *testing.T) {
	st, dir := newTestStore(t)
	src := writeSource(t, "segment")
	if err := storage.PutFile(t.Context(), st, "v/1/hls/0.m4s", src, ""); err != nil {
		t.Fatalf("PutFile: %v", err)
	}
	checkImported(t, st, dir, src, "v/1/hls/0.m4s", "segment")

	// Over an existing object.
	src = writeSource(t, "segment v2")
	if err := st.ImportFile(t.Context(), "v/1/hls/0.m4s", src); err != nil {
		t.Fatalf("ImportFile over an object: %v", err)
	}
	checkImported(t, st, dir, src, "v/1/hls/0.m4s", "segment v2")
}

func TestImportFileAcrossFilesystems(t *testing.T) {
	st, dir := newTestStore(t)
	rename = func(string, string) error { return &os.LinkError{Op: "rename", Err: syscall.EXDEV} }
	t.Cleanup(func() { rename = os.Rename })
	src := writeSource(t, "copied")
	if err := st.ImportFile(t.Context(), "a/b.m4s", src); err != nil {
		t.Fatalf("ImportFile: %v", err)
	}
	checkImported(t, st, dir, src, "a/b.m4s", "copied")
}

func TestImportFileFailureKeepsSource(t *testing.T) {
	st, dir := newTestStore(t)
	src := writeSource(t, "keep me")
	if err := st.ImportFile(t.Context(), "../escape", src); !errors.Is(err, storage.ErrInvalidKey) {
		t.Fatalf("ImportFile with an invalid key = %v", err)
	}
	// "a" is a file, so "a/b" cannot be placed: the source must come back.
	if err := os.WriteFile(filepath.Join(dir, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := st.ImportFile(t.Context(), "a/b", src); err == nil {
		t.Fatal("ImportFile under a file succeeded")
	}
	if got, err := os.ReadFile(src); err != nil || string(got) != "keep me" {
		t.Fatalf("source after a failed import: %q, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
	if err := st.ImportFile(t.Context(), "x", dir); err == nil {
		t.Fatal("ImportFile of a directory succeeded")
	}
}
