package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cuttle.video/storage/s3"
	"cuttle.video/storage/storagetest"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"cuttle.video/server/database"
	"cuttle.video/server/media/mediatest"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
)

// A video transcoded in the layout of separate segment files is
// repackaged into one fragmented MP4 per rendition: its segments keep
// their bytes (the old hash map's hashes are the new one's), the new
// playlist passes the server's own check, ffprobe plays the file to its
// end, and no old file is left.
// On S3 the joined file is streamed from the bucket back into it.
func TestRepackageLegacyVideo(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed")
	}
	t.Run("local", func(t *testing.T) {
		db, st, v := mediatest.Video(t, database.PrivacyPublic)
		repackageLegacyVideo(t, db, st, v)
	})
	t.Run("s3", func(t *testing.T) {
		db, _, v := mediatest.Video(t, database.PrivacyPublic)
		repackageLegacyVideo(t, db, testBucket(t), v)
	})
}

// testBucket is a fresh bucket of the test S3 service, emptied and
// removed after the test.
func testBucket(t *testing.T) storage.Store {
	t.Helper()
	env := storagetest.S3FromEnv(t)
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	bucket := "repack-" + hex.EncodeToString(rnd[:])
	st, err := s3.New(t.Context(), s3.Config{Endpoint: env.Endpoint, Region: env.Region, Bucket: bucket,
		AccessKey: env.AccessKey, SecretKey: env.SecretKey, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if err := st.DeletePrefix(ctx, ""); err != nil {
			t.Errorf("empty test bucket: %v", err)
		}
		if _, err := st.Client().DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: &bucket}); err != nil {
			t.Errorf("remove test bucket: %v", err)
		}
	})
	return st
}

func repackageLegacyVideo(t *testing.T, db *database.DB, st storage.Store, v *database.Video) {
	ctx := context.Background()
	prefix := MediaPrefix(v)
	dir := t.TempDir()
	// What the previous pipeline wrote for one rendition.
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=9",
		"-f", "lavfi", "-i", "sine=d=9", "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50",
		"-c:a", "aac", "-f", "hls", "-hls_segment_type", "fmp4", "-hls_playlist_type", "vod", "-hls_time", "2",
		"-hls_fmp4_init_filename", "180p-init.mp4", "-hls_segment_filename", filepath.Join(dir, "180p-%05d.m4s"),
		filepath.Join(dir, "180p.m3u8")).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	entries, _ := os.ReadDir(dir)
	oldHashes := map[string]string{}
	segments := 0
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name(), ".m4s") {
			sum := sha256.Sum256(data)
			oldHashes[e.Name()] = hex.EncodeToString(sum[:])
			segments++
		}
		putFile(t, st, prefix+e.Name(), data)
	}
	flat, _ := json.Marshal(oldHashes)
	putFile(t, st, prefix+job.LegacySegmentsFile, flat)
	putFile(t, st, prefix+job.LegacyMasterPlaylist, []byte("#EXTM3U\n"))
	putFile(t, st, prefix+job.ThumbnailFile, []byte("jpeg"))
	legacy := job.VODHLSResult{Duration: 9, SegmentsSHA256: job.LegacySegmentsFile, Thumbnail: job.ThumbnailFile,
		Files: []string{job.ThumbnailFile, job.LegacySegmentsFile}, Renditions: []job.RenditionResult{{
			Rendition: job.Rendition{Name: "180p", Width: 320, Height: 180, FPS: 25, VideoKbps: 400, AudioKbps: 64, HasAudio: true},
			Playlist:  "180p.m3u8", Codecs: "avc1.42c00d,mp4a.40.2", Bandwidth: 500000, AverageBandwidth: 400000, Segments: segments,
		}}}
	raw, _ := json.Marshal(legacy)
	v.HLS = string(raw)
	if err := db.UpdateVideo(ctx, v, false, "hls"); err != nil {
		t.Fatal(err)
	}

	RepackageAll(ctx, db, st, slog.New(slog.DiscardHandler))

	v, err = db.VideoByID(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	res := Result(v)
	if res == nil || res.Legacy() || !job.ValidMasterName(res.Master) || !job.ValidSegmentsName(res.SegmentsSHA256) {
		t.Fatalf("result after repackaging: %+v", res)
	}
	r := res.Renditions[0]
	var keys []string
	objects, _ := st.List(ctx, prefix)
	for _, o := range objects {
		keys = append(keys, strings.TrimPrefix(o.Key, prefix))
	}
	slices.Sort(keys)
	want := []string{r.File, r.Playlist, TorrentKey(r), res.Master, res.SegmentsSHA256, job.ThumbnailFile}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("stored files %v, want %v", keys, want)
	}
	playlist := readKey(t, st, prefix+r.Playlist)
	if err := pipeline.CheckMediaPlaylist(playlist, r, func(n string) bool { return n == r.File }); err != nil {
		t.Fatalf("the new playlist: %v", err)
	}
	var hashes job.SegmentHashes
	if err := json.Unmarshal(readKey(t, st, prefix+res.SegmentsSHA256), &hashes); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(maps.Values(hashes[r.File]))
	if wantHashes := slices.Sorted(maps.Values(oldHashes)); !slices.Equal(got, wantHashes) || len(got) != segments {
		t.Errorf("segment hashes changed: %v, were %v", got, wantHashes)
	}
	master := readKey(t, st, prefix+res.Master)
	if !bytes.Contains(master, []byte("\n"+r.Playlist+"\n")) {
		t.Errorf("the master does not list %s:\n%s", r.Playlist, master)
	}
	file := filepath.Join(t.TempDir(), "f.mp4")
	if err := os.WriteFile(file, readKey(t, st, prefix+r.File), 0o600); err != nil {
		t.Fatal(err)
	}
	dur, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file).Output()
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(dur)), "9.") {
		t.Errorf("ffprobe of the repackaged file: duration %q, %v", dur, err)
	}
}

func putFile(t *testing.T, st storage.Store, key string, data []byte) {
	t.Helper()
	if err := st.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), ""); err != nil {
		t.Fatal(err)
	}
}

func readKey(t *testing.T, st storage.Store, key string) []byte {
	t.Helper()
	rc, _, err := st.Get(context.Background(), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
