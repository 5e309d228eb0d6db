package storyboard

import (
	"context"
	"errors"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// clip makes a test video; ffmpeg is a real dependency of this package.
func clip(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("ffmpeg is not installed")
		}
		t.Skip("ffmpeg is not installed; run through make test")
	}
	path := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", append(append([]string{"-v", "error", "-y"}, args...), path)...).CombinedOutput()
	if err != nil {
		t.Fatalf("generate clip: %v\n%s", err, out)
	}
	return path
}

func TestRunDrawsTheSheet(t *testing.T) {
	// Red for four seconds, then blue: the fifth sprite is the first blue one.
	input := clip(t, "-f", "lavfi", "-i", "color=c=red:size=320x180:rate=25:duration=4",
		"-f", "lavfi", "-i", "color=c=blue:size=320x180:rate=25:duration=3",
		"-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast")
	l, ok := Plan(7, 320, 180)
	if !ok {
		t.Fatal("no plan")
	}
	out := filepath.Join(t.TempDir(), "storyboard.jpg")
	if err := Run(context.Background(), input, out, l, Options{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 7*192 || b.Dy() != 108 {
		t.Fatalf("sheet is %v, want 1344x108", b)
	}
	centre := func(i int) (r, b uint32) {
		r, _, b, _ = img.At(i*l.SpriteWidth+l.SpriteWidth/2, l.SpriteHeight/2).RGBA()
		return r >> 8, b >> 8
	}
	for i, wantRed := range []bool{true, true, true, true, false, false, false} {
		r, b := centre(i)
		if (r > b) != wantRed {
			t.Errorf("sprite %d: red %d, blue %d; want red: %v", i, r, b, wantRed)
		}
	}
}

func TestRunWithoutPicture(t *testing.T) {
	input := clip(t, "-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-c:a", "aac")
	l, _ := Plan(4, 320, 180)
	out := filepath.Join(t.TempDir(), "storyboard.jpg")
	if err := Run(context.Background(), input, out, l, Options{}); err == nil {
		t.Fatal("a sound made a storyboard")
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed run left a sheet: %v", err)
	}
}
