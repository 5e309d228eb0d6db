package pipeline

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafov/m3u8"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/probe"
)

// fast keeps the suite quick on small machines.
var fast = Options{Preset: "ultrafast"}

func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is required (make test installs it)", bin)
		}
	}
}

// generate makes a media file with ffmpeg's lavfi sources.
func generate(t *testing.T, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("ffmpeg", append(append([]string{"-v", "error", "-y"}, args...), path)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return path
}

// clip makes a 10 s clip with a moving picture of size and a tone.
func clip(t *testing.T, size string, extra ...string) string {
	t.Helper()
	args := []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=30:duration=10",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=10",
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest"}
	return generate(t, "clip.mp4", append(args, extra...)...)
}

type ffprobeOut struct {
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
}

func ffprobe(t *testing.T, path string) ffprobeOut {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json",
		"-show_format", "-show_streams", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", filepath.Base(path), err)
	}
	var o ffprobeOut
	if err := json.Unmarshal(out, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// progressLog records progress calls from ffmpeg's reader goroutine.
type progressLog struct {
	mu     sync.Mutex
	values []float64
}

func (p *progressLog) add(f float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.values = append(p.values, f)
}

func (p *progressLog) get() []float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.values)
}

func transcode(t *testing.T, input string, opt Options) (*job.VODHLSResult, []job.Rendition, string, []float64) {
	t.Helper()
	pr, err := probe.File(context.Background(), input)
	if err != nil {
		t.Fatal(err)
	}
	ladder := Ladder(pr)
	out := filepath.Join(t.TempDir(), "hls")
	var log progressLog
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Run(ctx, input, out, ladder, pr.Duration, opt, log.add)
	if err != nil {
		t.Fatal(err)
	}
	return res, ladder, out, log.get()
}

func TestRunVideo(t *testing.T) {
	needFFmpeg(t)
	res, ladder, out, progress := transcode(t, clip(t, "1280x720"), fast)

	var names []string
	for _, r := range ladder {
		names = append(names, r.Name)
	}
	if want := []string{"720p", "480p", "360p", "240p", "144p"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("ladder = %v, want %v", names, want)
	}
	if len(res.Renditions) != len(ladder) {
		t.Fatalf("%d renditions, want %d", len(res.Renditions), len(ladder))
	}
	if res.Duration < 9.5 || res.Duration > 10.5 {
		t.Errorf("duration = %v, want about 10", res.Duration)
	}

	// Segment boundaries must line up across renditions for players to
	// switch between them.
	wantDurations := []float64{4, 4, 2}
	for _, rr := range res.Renditions {
		pl, err := readMediaPlaylist(filepath.Join(out, rr.Playlist))
		if err != nil {
			t.Fatalf("%s: %v", rr.Name, err)
		}
		var durations []float64
		for _, s := range MediaSegments(pl) {
			durations = append(durations, s.Duration)
		}
		if !reflect.DeepEqual(durations, wantDurations) {
			t.Errorf("%s: EXTINF durations %v, want %v", rr.Name, durations, wantDurations)
		}
		if rr.Segments != len(durations) {
			t.Errorf("%s: Segments = %d, playlist has %d", rr.Name, rr.Segments, len(durations))
		}
		p := ffprobe(t, filepath.Join(out, rr.Playlist))
		d, _ := strconv.ParseFloat(p.Format.Duration, 64)
		if d < 9.5 || d > 10.5 {
			t.Errorf("%s: ffprobe duration %v, want about 10", rr.Name, d)
		}
		var height int
		var hasAudio bool
		for _, s := range p.Streams {
			switch s.CodecType {
			case "video":
				height = s.Height
			case "audio":
				hasAudio = true
			}
		}
		if height != rr.Height || !hasAudio {
			t.Errorf("%s: ffprobe height %d audio %v, want %d with audio", rr.Name, height, hasAudio, rr.Height)
		}
		if rr.Bandwidth < rr.AverageBandwidth || rr.AverageBandwidth <= 0 || rr.Size <= 0 {
			t.Errorf("%s: bandwidth %d, average %d, size %d", rr.Name, rr.Bandwidth, rr.AverageBandwidth, rr.Size)
		}
		if !strings.HasPrefix(rr.Codecs, "avc1.") || !strings.HasSuffix(rr.Codecs, ",mp4a.40.2") {
			t.Errorf("%s: codecs %q", rr.Name, rr.Codecs)
		}
	}

	checkFiles(t, res, out)
	checkHashes(t, res, out)
	checkImages(t, res, out)

	master, err := MasterPlaylist(res.Renditions)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("master playlist:\n%s", master)
	mp := decodeMaster(t, master)
	if len(mp.Variants) != 5 {
		t.Fatalf("master has %d variants, want 5:\n%s", len(mp.Variants), master)
	}
	if mp.Variants[0].URI != res.Renditions[0].Playlist || mp.Variants[4].URI != res.Renditions[4].Playlist {
		t.Errorf("variants are not highest first:\n%s", master)
	}
	for _, v := range mp.Variants {
		if v.Bandwidth < v.AverageBandwidth || v.AverageBandwidth == 0 || v.Resolution == "" || v.Codecs == "" || v.FrameRate != 30 {
			t.Errorf("variant %s: %+v", v.URI, v.VariantParams)
		}
	}

	t.Logf("progress: %v", progress)
	if len(progress) < 2 {
		t.Fatalf("progress called %d times: %v", len(progress), progress)
	}
	if !slices.IsSorted(progress) || progress[len(progress)-1] != 1 || progress[0] <= 0 {
		t.Errorf("progress %v, want growing values ending at 1", progress)
	}
}

func TestRunPortraitSilent(t *testing.T) {
	needFFmpeg(t)
	input := generate(t, "portrait.mp4", "-f", "lavfi", "-i", "testsrc2=size=360x640:rate=25:duration=3",
		"-c:v", "libx264", "-preset", "ultrafast")
	res, _, out, _ := transcode(t, input, fast)
	var got []string
	for _, rr := range res.Renditions {
		got = append(got, rr.Name+" "+strconv.Itoa(rr.Width)+"x"+strconv.Itoa(rr.Height)+" "+rr.Codecs[:5])
		if rr.HasAudio || strings.Contains(rr.Codecs, "mp4a") {
			t.Errorf("%s has audio: %+v", rr.Name, rr)
		}
	}
	want := []string{"360p 360x640 avc1.", "240p 240x426 avc1.", "144p 144x256 avc1."}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("renditions %v, want %v", got, want)
	}
	checkFiles(t, res, out)
	checkImages(t, res, out)
}

func TestRunAudioOnly(t *testing.T) {
	needFFmpeg(t)
	input := generate(t, "sound.m4a", "-f", "lavfi", "-i", "sine=frequency=300:duration=10", "-c:a", "aac")
	res, ladder, out, progress := transcode(t, input, fast)
	if len(ladder) != 1 || ladder[0].Name != "audio" || len(res.Renditions) != 1 {
		t.Fatalf("ladder %+v, renditions %+v", ladder, res.Renditions)
	}
	rr := res.Renditions[0]
	if rr.Codecs != "mp4a.40.2" || !strings.HasSuffix(rr.Playlist, "-0.m3u8") || !strings.HasSuffix(rr.File, "-0-fragmented.mp4") || rr.Segments < 2 || rr.Width != 0 {
		t.Errorf("rendition %+v", rr)
	}
	p := ffprobe(t, filepath.Join(out, rr.Playlist))
	if len(p.Streams) != 1 || p.Streams[0].CodecName != "aac" {
		t.Errorf("streams %+v, want one AAC stream", p.Streams)
	}
	checkFiles(t, res, out)
	checkHashes(t, res, out)
	checkImages(t, res, out)

	master, err := MasterPlaylist(res.Renditions)
	if err != nil {
		t.Fatal(err)
	}
	mp := decodeMaster(t, master)
	if len(mp.Variants) != 1 || mp.Variants[0].Codecs != "mp4a.40.2" || mp.Variants[0].Resolution != "" {
		t.Errorf("master playlist:\n%s", master)
	}
	if len(progress) == 0 || progress[len(progress)-1] != 1 {
		t.Errorf("progress %v", progress)
	}
}

func TestRunRefusesBrokenInput(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	random := make([]byte, 256<<10)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	plain, err := os.ReadFile(clip(t, "320x180"))
	if err != nil {
		t.Fatal(err)
	}
	faststart, err := os.ReadFile(clip(t, "320x180", "-movflags", "+faststart"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"random bytes", random, "Invalid data found when processing input"},
		// The index of a plain mp4 is at its end, so half of one is
		// unreadable.
		{"truncated mp4", plain[:len(plain)/2], "moov atom not found"},
		// With the index first, ffmpeg encodes the half that is there and
		// exits successfully.
		{"truncated faststart mp4", faststart[:len(faststart)/2], "truncated or damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.WriteFile(input, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out-"+filepath.Base(input))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			ladder := Ladder(video(320, 180, 30, true))
			_, err := Run(ctx, input, out, ladder, 10, fast, nil)
			if err == nil {
				t.Fatal("Run succeeded")
			}
			if ctx.Err() != nil {
				t.Fatalf("Run hung until the deadline: %v", err)
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if tt.name == "truncated faststart mp4" && !errors.Is(err, ErrDamaged) {
				t.Errorf("error %v is not ErrDamaged", err)
			}
			if strings.Contains(msg, dir) {
				t.Errorf("error %q shows the worker's paths", msg)
			}
			if len(msg) > 2000 {
				t.Errorf("error is %d bytes long", len(msg))
			}
		})
	}
}

func TestRunCancel(t *testing.T) {
	needFFmpeg(t)
	input := clip(t, "1280x720")
	out := filepath.Join(t.TempDir(), "hls")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled time.Time
	var once sync.Once
	ladder := Ladder(video(1280, 720, 30, true))
	// Cancelled at the first progress report, when ffmpeg is encoding.
	_, err := Run(ctx, input, out, ladder, 10, fast, func(float64) {
		once.Do(func() {
			cancelled = time.Now()
			cancel()
		})
	})
	if cancelled.IsZero() {
		t.Fatalf("no progress before Run returned: %v", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if d := time.Since(cancelled); d > 2*time.Second {
		t.Errorf("Run returned %v after the cancel", d)
	}
	// Run has waited for ffmpeg, so none may be left writing to out.
	if procs, err := filepath.Glob("/proc/[0-9]*/cmdline"); err == nil {
		for _, p := range procs {
			if cmdline, err := os.ReadFile(p); err == nil && bytes.Contains(cmdline, []byte(out)) {
				t.Errorf("process %s still runs: %q", p, cmdline)
			}
		}
	}
}

// checkFiles compares res.Files with what is in out.
func checkFiles(t *testing.T, res *job.VODHLSResult, out string) {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var onDisk []string
	for _, e := range entries {
		onDisk = append(onDisk, e.Name())
	}
	if !reflect.DeepEqual(res.Files, onDisk) {
		t.Errorf("Files = %v\non disk  %v", res.Files, onDisk)
	}
	for _, rr := range res.Renditions {
		if !slices.Contains(res.Files, rr.File) || !slices.Contains(res.Files, rr.Playlist) {
			t.Errorf("%s: its file or playlist is missing from Files", rr.Name)
		}
		if info, err := os.Stat(filepath.Join(out, rr.File)); err != nil || info.Size() != rr.Size {
			t.Errorf("%s: Size = %d, the file: %v %v", rr.Name, rr.Size, info, err)
		}
	}
	if slices.ContainsFunc(res.Files, func(f string) bool { return strings.Contains(f, "master") }) {
		t.Errorf("a master playlist was written: %v", res.Files)
	}
}

// checkHashes checks the hash map against the bytes each playlist's
// ranges address in its rendition's file, in PeerTube's shape.
func checkHashes(t *testing.T, res *job.VODHLSResult, out string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, res.SegmentsSHA256))
	if err != nil {
		t.Fatal(err)
	}
	var hashes map[string]map[string]string
	if err := json.Unmarshal(data, &hashes); err != nil {
		t.Fatal(err)
	}
	if len(hashes) != len(res.Renditions) {
		t.Errorf("hashes of %d files for %d renditions", len(hashes), len(res.Renditions))
	}
	for _, rr := range res.Renditions {
		file, err := os.ReadFile(filepath.Join(out, rr.File))
		if err != nil {
			t.Fatal(err)
		}
		pl, err := readMediaPlaylist(filepath.Join(out, rr.Playlist))
		if err != nil {
			t.Fatal(err)
		}
		segs := MediaSegments(pl)
		if len(hashes[rr.File]) != len(segs) || len(segs) == 0 {
			t.Errorf("%s: %d hashes for %d segments", rr.Name, len(hashes[rr.File]), len(segs))
		}
		for _, seg := range segs {
			sum := sha256.Sum256(file[seg.Offset : seg.Offset+seg.Limit])
			key := fmt.Sprintf("%d-%d", seg.Offset, seg.Offset+seg.Limit-1)
			if got := hashes[rr.File][key]; got != hex.EncodeToString(sum[:]) {
				t.Errorf("%s %s: hash %q, want %x", rr.File, key, got, sum)
			}
		}
	}
}

func checkImages(t *testing.T, res *job.VODHLSResult, out string) {
	t.Helper()
	for name, size := range map[string][2]int{res.Thumbnail: {280, 157}, res.Preview: {850, 480}} {
		if name == "" {
			t.Fatal("no image in the result")
		}
		p := ffprobe(t, filepath.Join(out, name))
		if len(p.Streams) != 1 || p.Streams[0].CodecName != "mjpeg" ||
			p.Streams[0].Width != size[0] || p.Streams[0].Height != size[1] {
			t.Errorf("%s: %+v, want a %dx%d JPEG", name, p.Streams, size[0], size[1])
		}
	}
}

func decodeMaster(t *testing.T, data []byte) *m3u8.MasterPlaylist {
	t.Helper()
	pl, kind, err := m3u8.DecodeFrom(bytes.NewReader(data), true)
	if err != nil || kind != m3u8.MASTER {
		t.Fatalf("master playlist does not parse (%v):\n%s", err, data)
	}
	if !bytes.Contains(data, []byte("#EXT-X-VERSION:7\n")) {
		t.Errorf("master playlist is not version 7:\n%s", data)
	}
	return pl.(*m3u8.MasterPlaylist)
}

// A ladder of one rendition is the case where ffmpeg does not expand %v
// in the init file name.
func TestRunSingleRendition(t *testing.T) {
	needFFmpeg(t)
	input := generate(t, "tiny.mp4", "-f", "lavfi", "-i", "testsrc2=size=160x100:rate=30:duration=2",
		"-f", "lavfi", "-i", "sine=duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest")
	res, _, out, _ := transcode(t, input, fast)
	if len(res.Renditions) != 1 || res.Renditions[0].Name != "100p" || !strings.HasSuffix(res.Renditions[0].Codecs, ",mp4a.40.2") {
		t.Fatalf("renditions %+v", res.Renditions)
	}
	checkFiles(t, res, out)
	checkHashes(t, res, out)
	checkImages(t, res, out)
}

func TestRunStopsAtOutputBound(t *testing.T) {
	needFFmpeg(t)
	input := clip(t, "1280x720")
	out := filepath.Join(t.TempDir(), "hls")
	opt := fast
	opt.MaxOutputBytes = 64 << 10
	ladder := Ladder(video(1280, 720, 30, true))
	_, err := Run(context.Background(), input, out, ladder, 10, opt, nil)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	if n := dirSize(out); n > 16<<20 {
		t.Fatalf("the encoder wrote %d bytes past a bound of %d", n, opt.MaxOutputBytes)
	}
}
