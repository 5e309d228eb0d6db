package media

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"cuttle.video/server/database"
	"cuttle.video/storage"
	"cuttle.video/storage/local"
)

func testVideo(t *testing.T, privacy int) (*database.DB, storage.Store, *database.Video) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := local.New(local.Config{Dir: t.TempDir(), BaseURL: "/storage", Secret: []byte("0123456789abcdef0123")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ch := &database.Channel{Name: "media_channel", DisplayName: "Media"}
	if err := db.CreateUser(ctx, &database.User{Username: "media", Email: "media@example.com", Role: database.RoleUser}, ch); err != nil {
		t.Fatal(err)
	}
	v := &database.Video{UUID: "0d8f5c1e-8d55-4f9e-9d6b-0f8b6a1f2c3d", ShortUUID: "short", ChannelID: ch.ID, Name: "Media",
		Privacy: privacy, State: database.StatePublished}
	if err := db.CreateVideo(ctx, v); err != nil {
		t.Fatal(err)
	}
	return db, st, v
}

func putAll(t *testing.T, st storage.Store, prefix string, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := st.Put(context.Background(), prefix+n, bytes.NewReader([]byte(n)), int64(len(n)), ""); err != nil {
			t.Fatal(err)
		}
	}
}

func keys(t *testing.T, st storage.Store, prefix string) []string {
	t.Helper()
	objs, err := st.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

func TestMediaPrefix(t *testing.T) {
	v := &database.Video{UUID: "u", MediaGeneration: 3}
	for privacy, want := range map[int]string{
		database.PrivacyPublic: "videos/u/hls/", database.PrivacyUnlisted: "videos/u/hls/",
		database.PrivacyPrivate: "private/videos/u/3/hls/", database.PrivacyInternal: "private/videos/u/3/hls/",
		database.PrivacyPassword: "private/videos/u/3/hls/",
	} {
		v.Privacy = privacy
		if got := MediaPrefix(v); got != want {
			t.Errorf("privacy %d: %q, want %q", privacy, got, want)
		}
		if !slices.ContainsFunc(FilePrefixes(v.UUID), func(p string) bool { return strings.HasPrefix(want, p) }) {
			t.Errorf("privacy %d: %q is outside FilePrefixes, so deleting the video would leave it", privacy, want)
		}
	}
}

// A move that a crash cut short (as the migration that introduced
// private prefixes leaves every private video) is finished by the next
// holder of the lock, and by ResumeMoves.
func TestResumeMoves(t *testing.T) {
	ctx := context.Background()
	db, st, v := testVideo(t, database.PrivacyPrivate)
	public := PublicMediaPrefix(v.UUID)
	putAll(t, st, public, "master.m3u8", "240p.m3u8", "240p-00000.m4s")
	putAll(t, st, MediaPrefix(v), "240p-00000.m4s")
	v.MediaMovingFrom = public
	if err := db.UpdateVideo(ctx, v, false, "media_moving_from"); err != nil {
		t.Fatal(err)
	}
	if err := ResumeMoves(ctx, db, st); err != nil {
		t.Fatal(err)
	}
	if k := keys(t, st, "videos/"); len(k) != 0 {
		t.Fatalf("left under the public prefix: %v", k)
	}
	want := []string{MediaPrefix(v) + "240p-00000.m4s", MediaPrefix(v) + "240p.m3u8", MediaPrefix(v) + "master.m3u8"}
	if k := keys(t, st, "private/"); !slices.Equal(k, want) {
		t.Fatalf("private prefix holds %v, want %v", k, want)
	}
	again, err := db.VideoByID(ctx, v.ID)
	if err != nil || again.MediaMovingFrom != "" {
		t.Fatalf("the move is still recorded: %q, %v", again.MediaMovingFrom, err)
	}
}

func TestFilesLock(t *testing.T) {
	ctx := context.Background()
	db, st, v := testVideo(t, database.PrivacyPublic)
	err := WithFilesLocked(ctx, db, st, v.ID, func(*database.Video) error {
		if err := WithFilesLocked(ctx, db, st, v.ID, func(*database.Video) error { return nil }); !errors.Is(err, ErrFilesBusy) {
			t.Errorf("a second holder: %v, want ErrFilesBusy", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := WithFilesLocked(ctx, db, st, v.ID, func(*database.Video) error { return nil }); err != nil {
		t.Fatalf("the lock was not given back: %v", err)
	}
}

// Gather brings a job's outputs from where it wrote them to the video's
// prefix; outputs a privacy change already moved are not missed.
func TestGather(t *testing.T) {
	ctx := context.Background()
	_, st, v := testVideo(t, database.PrivacyPrivate)
	from, to := PublicMediaPrefix(v.UUID), MediaPrefix(v)
	putAll(t, st, from, "a.m4s", "b.m4s", "stale.m4s")
	putAll(t, st, to, "c.m4s")
	if err := Gather(ctx, st, from, to, []string{"a.m4s", "b.m4s", "c.m4s"}); err != nil {
		t.Fatal(err)
	}
	if k := keys(t, st, "videos/"); len(k) != 0 {
		t.Fatalf("left at the job's prefix: %v", k)
	}
	if k := keys(t, st, to); !slices.Equal(k, []string{to + "a.m4s", to + "b.m4s", to + "c.m4s"}) {
		t.Fatalf("at the video's prefix: %v", k)
	}
}
