package storyboard

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestArgs(t *testing.T) {
	l, _ := Plan(50, 1280, 720)
	got := strings.Join(Args("/in/rendition.mp4", "/out/storyboard.jpg", l, 2), "\n") + "\n"
	path := filepath.Join("testdata", "args.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("Args() differs from %s (run go test -update to accept):\n%s", path, got)
	}
}
