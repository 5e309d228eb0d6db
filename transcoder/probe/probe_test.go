package probe

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is required (make test installs it)")
	}
}

func generate(t *testing.T, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("ffmpeg", append(append([]string{"-v", "error", "-y"}, args...), path)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return path
}

func TestProbeVideo(t *testing.T) {
	needFFmpeg(t)
	path := generate(t, "clip.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
		"-f", "lavfi", "-i", "sine=duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest")
	r, err := File(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Video == nil || r.Video.Width != 320 || r.Video.Height != 240 || r.Video.Codec != "h264" {
		t.Fatalf("video stream = %+v", r.Video)
	}
	if r.Video.FPS != 25 {
		t.Fatalf("fps = %v, want 25", r.Video.FPS)
	}
	if r.Audio == nil || r.Audio.Codec != "aac" {
		t.Fatalf("audio stream = %+v", r.Audio)
	}
	if r.Duration < 1.9 || r.Duration > 2.2 {
		t.Fatalf("duration = %v, want about 2", r.Duration)
	}
}

func TestProbeAudioOnly(t *testing.T) {
	needFFmpeg(t)
	path := generate(t, "sound.ogg", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libopus")
	r, err := File(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Video != nil || r.Audio == nil {
		t.Fatalf("got video=%+v audio=%+v, want audio only", r.Video, r.Audio)
	}
}

func TestProbeRefusesNonMedia(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.mp4")
	if err := os.WriteFile(text, []byte("these are my holiday notes\nnot a video at all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	image := generate(t, "still.png", "-f", "lavfi", "-i", "color=red:size=64x64", "-frames:v", "1")
	renamedImage := filepath.Join(dir, "still.mp4")
	if err := os.Rename(image, renamedImage); err != nil {
		t.Fatal(err)
	}
	clip := generate(t, "clip.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast")
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.mp4")
	if err := os.WriteFile(truncated, data[:len(data)/3], 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.mp4")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{text, renamedImage, truncated, empty} {
		if _, err := File(context.Background(), p); !errors.Is(err, ErrNotMedia) {
			t.Errorf("%s: got %v, want ErrNotMedia", filepath.Base(p), err)
		}
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{"25/1": 25, "30000/1001": 30000.0 / 1001, "0/0": 0, "": 0, "24": 24} {
		if got := parseRate(in); got != want {
			t.Errorf("parseRate(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestProbeRotatedVideo(t *testing.T) {
	needFFmpeg(t)
	landscape := generate(t, "landscape.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=1",
		"-c:v", "libx264", "-preset", "ultrafast")
	rotated := filepath.Join(t.TempDir(), "portrait.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-i", landscape, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated).CombinedOutput()
	if err != nil {
		t.Fatalf("tag rotation: %v\n%s", err, out)
	}
	r, err := File(context.Background(), rotated)
	if err != nil {
		t.Fatal(err)
	}
	if r.Video.Width != 180 || r.Video.Height != 320 {
		t.Fatalf("a video shown upright as 180x320 probes as %dx%d", r.Video.Width, r.Video.Height)
	}
}
