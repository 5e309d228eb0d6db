package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"cuttle.video/storage"
	"cuttle.video/storage/local"
)

func TestReadAll(t *testing.T) {
	st, err := local.New(local.Config{Dir: t.TempDir(), BaseURL: "/storage", Secret: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	body := "#EXTM3U\n"
	if err := st.Put(ctx, "v/a.m3u8", strings.NewReader(body), int64(len(body)), "application/vnd.apple.mpegurl"); err != nil {
		t.Fatal(err)
	}
	if got, err := storage.ReadAll(ctx, st, "v/a.m3u8", int64(len(body))); err != nil || string(got) != body {
		t.Errorf("ReadAll at the limit = %q, %v", got, err)
	}
	if _, err := storage.ReadAll(ctx, st, "v/a.m3u8", int64(len(body))-1); !errors.Is(err, storage.ErrTooLarge) {
		t.Errorf("ReadAll over the limit: %v, want ErrTooLarge", err)
	}
	if _, err := storage.ReadAll(ctx, st, "v/missing.m3u8", 10); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ReadAll of a missing object: %v, want ErrNotFound", err)
	}
}
