package pipeline

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/probe"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares args, one per line, with testdata/name.golden.
func golden(t *testing.T, name string, args []string) {
	t.Helper()
	got := strings.Join(args, "\n") + "\n"
	path := filepath.Join("testdata", name+".golden")
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

func TestArgs720p(t *testing.T) {
	ladder := Ladder(video(1280, 720, 30, true))
	golden(t, "args_720p", Args("/in/original", "/out", ladder, testIDs(ladder), Options{Threads: 2}))
}

func TestArgsAudioOnly(t *testing.T) {
	ladder := Ladder(&probe.Result{Duration: 60, Audio: &probe.Audio{Codec: "mp3", Channels: 2}})
	golden(t, "args_audio", Args("/in/original", "/out", ladder, testIDs(ladder), Options{}))
}

func TestArgsSilentVideo(t *testing.T) {
	ladder := Ladder(video(640, 360, 25, false))
	golden(t, "args_silent", Args("/in/original", "/out", ladder, testIDs(ladder), Options{SegmentSeconds: 6, Preset: "ultrafast"}))
}

// testIDs gives each rendition a fixed id, for golden command lines.
func testIDs(ladder []job.Rendition) []string {
	ids := make([]string, len(ladder))
	for i := range ids {
		ids[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	return ids
}

func TestCheckRefuses(t *testing.T) {
	good := Ladder(video(640, 360, 25, true))
	tests := []struct {
		name   string
		outDir string
		ladder func([]job.Rendition) []job.Rendition
	}{
		{"percent in the output directory", "/out/100%", nil},
		{"empty ladder", "/out", func([]job.Rendition) []job.Rendition { return nil }},
		{"name with a space", "/out", func(l []job.Rendition) []job.Rendition { l[0].Name = "720 p"; return l }},
		{"name with a comma", "/out", func(l []job.Rendition) []job.Rendition { l[0].Name = "a,b"; return l }},
		{"duplicate name", "/out", func(l []job.Rendition) []job.Rendition { l[1].Name = l[0].Name; return l }},
		{"odd width", "/out", func(l []job.Rendition) []job.Rendition { l[0].Width = 641; return l }},
		{"fps above 60", "/out", func(l []job.Rendition) []job.Rendition { l[0].FPS = 120; return l }},
		{"no video bitrate", "/out", func(l []job.Rendition) []job.Rendition { l[0].VideoKbps = 0; return l }},
		{"no audio bitrate", "/out", func(l []job.Rendition) []job.Rendition { l[0].AudioKbps = 0; return l }},
		{"audio and video mixed", "/out", func(l []job.Rendition) []job.Rendition {
			return append(l, job.Rendition{Name: "audio", AudioKbps: 128, HasAudio: true})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ladder := append([]job.Rendition(nil), good...)
			if tt.ladder != nil {
				ladder = tt.ladder(ladder)
			}
			if err := check("/in/original", tt.outDir, ladder); err == nil {
				t.Fatal("check accepted it")
			}
		})
	}
}
