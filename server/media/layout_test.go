package media

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"cuttle.video/server/database"
	"cuttle.video/server/media/mediatest"
	"cuttle.video/storage"
)

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
	db, st, v := mediatest.Video(t, database.PrivacyPrivate)
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
	db, st, v := mediatest.Video(t, database.PrivacyPublic)
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
	_, st, v := mediatest.Video(t, database.PrivacyPrivate)
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

func TestOriginalKey(t *testing.T) {
	for name, want := range map[string]string{
		"Holiday.MP4": "originals/u/original.mp4", "clip": "originals/u/original.bin",
		"odd.ext-with-dash": "originals/u/original.bin", "../../x.mkv": "originals/u/original.mkv",
	} {
		if got := OriginalKey("u", name); got != want {
			t.Errorf("OriginalKey(%q) = %q, want %q", name, got, want)
		}
		if !strings.HasPrefix(OriginalKey("u", name), FilePrefixes("u")[0]) {
			t.Errorf("the original of %q is outside FilePrefixes, so deleting the video would leave it", name)
		}
	}
}

func TestStagingJob(t *testing.T) {
	if id, ok := StagingJob(StagingPrefix("u", "job-1")); !ok || id != "job-1" {
		t.Errorf("StagingJob(StagingPrefix) = %q, %v", id, ok)
	}
	for _, p := range []string{"", "staging/", "staging/u/", "staging/u//", "staging/u/job-1", "videos/u/hls/", "staging/u/job-1/x/"} {
		if id, ok := StagingJob(p); ok {
			t.Errorf("StagingJob(%q) = %q, want no job", p, id)
		}
	}
}

// A privacy change starts a new generation, so that links handed out
// before stop working: private files move to the new generation's
// prefix. Public files stay where they are between public and unlisted.
func TestNewGeneration(t *testing.T) {
	cur := &database.Video{UUID: "u", Privacy: database.PrivacyPublic, MediaGeneration: 1}
	v := *cur
	v.Privacy = database.PrivacyPrivate
	cols := NewGeneration(cur, &v)
	if v.MediaGeneration != 2 || v.MediaMovingFrom != "videos/u/hls/" || !slices.Equal(cols, []string{"media_generation", "media_moving_from"}) {
		t.Errorf("public to private: generation %d, moving from %q, columns %v", v.MediaGeneration, v.MediaMovingFrom, cols)
	}
	cur, v = &database.Video{UUID: "u", Privacy: database.PrivacyPrivate, MediaGeneration: 2}, database.Video{UUID: "u", Privacy: database.PrivacyPassword}
	if NewGeneration(cur, &v); v.MediaGeneration != 3 || v.MediaMovingFrom != "private/videos/u/2/hls/" {
		t.Errorf("private to password: generation %d, moving from %q", v.MediaGeneration, v.MediaMovingFrom)
	}
	cur, v = &database.Video{UUID: "u", Privacy: database.PrivacyPublic}, database.Video{UUID: "u", Privacy: database.PrivacyUnlisted}
	if NewGeneration(cur, &v); v.MediaMovingFrom != "" {
		t.Errorf("public to unlisted moves files from %q", v.MediaMovingFrom)
	}
}
