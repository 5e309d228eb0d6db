package servertest

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// Clip generates a small video (2 s, 320x240, H.264 and AAC) in the
// test's temporary directory and returns its path.
func Clip(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
		path).CombinedOutput()
	if err != nil {
		t.Fatalf("generate clip with ffmpeg (make test installs it): %v\n%s", err, out)
	}
	return path
}
