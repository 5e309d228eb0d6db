package servertest

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Clip generates a small video (2 s, 320x240, H.264 and AAC) in the
// test's temporary directory and returns its path.
func Clip(t *testing.T) string {
	t.Helper()
	return Generate(t, "clip.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest")
}

// Generate runs ffmpeg with args (its inputs and options, usually lavfi
// sources) to write name in the test's temporary directory, and returns
// its path.
func Generate(t *testing.T, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	args = append(append([]string{"-v", "error", "-y"}, args...), path)
	if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("generate %s with ffmpeg (make test installs it): %v\n%s", name, err, out)
	}
	return path
}

// CorruptClip makes a file that probes as a video (its index is intact) but
// whose frames cannot be decoded: the payload of the mdat box is zeroed.
func CorruptClip(t *testing.T, src string) string {
	t.Helper()
	faststart := filepath.Join(t.TempDir(), "faststart.mp4")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-i", src, "-c", "copy", "-movflags", "+faststart", faststart).CombinedOutput(); err != nil {
		t.Fatalf("remux: %v\n%s", err, out)
	}
	data, err := os.ReadFile(faststart)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off+8 <= len(data); {
		size := int(binary.BigEndian.Uint32(data[off:]))
		if string(data[off+4:off+8]) == "mdat" {
			clear(data[off+8 : off+size])
			break
		}
		if size < 8 {
			t.Fatal("unexpected box layout")
		}
		off += size
	}
	path := filepath.Join(t.TempDir(), "corrupt.mp4")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
