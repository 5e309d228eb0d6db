package delivery

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FFmpegChildren is ffmpegChildren for the package's external tests.
var FFmpegChildren = ffmpegChildren

// ffmpegChildren lists the ffmpeg processes this test process started
// that still run, by their command lines.
func ffmpegChildren(t *testing.T) []string {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, p := range procs {
		stat, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces, so split
		// after its closing parenthesis.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		fields := strings.Fields(s[i+1:])
		if len(fields) < 2 || fields[1] != strconv.Itoa(os.Getpid()) || !strings.HasPrefix(s[strings.IndexByte(s, '(')+1:], "ffmpeg)") {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "cmdline"))
		if fields[0] != "Z" {
			left = append(left, strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	return left
}
