package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"cuttle.video/server/servertest"
)

// peertubeCLI is PeerTube's official command line client, installed from
// npm by scripts/deps.sh test, at the version testdata/peertube-cli pins.
func peertubeCLI(t *testing.T) string {
	t.Helper()
	cli, err := filepath.Abs("testdata/peertube-cli/node_modules/@peertube/peertube-cli/dist/peertube.js")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cli); err != nil {
		if os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("PeerTube's CLI is not installed: %v", err)
		}
		t.Skip("PeerTube's CLI is not installed; run scripts/deps.sh test")
	}
	return cli
}

// runCLI runs the CLI with its settings and credentials (netrc) in home,
// and fails the test unless it exits 0.
func runCLI(t *testing.T, ctx context.Context, cli, home string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "node", append([]string{cli}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "NODE_ENV=production")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("peertube %s: %v\n%s", args[0], err, out)
	}
	return string(out)
}

// PeerTube's CLI signs in, uploads a file and waits, as it does after
// every upload, until the video's first file has its torrent: it exits
// 0 and the video is published.
func TestPeerTubeCLIUpload(t *testing.T) {
	cli := peertubeCLI(t)
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	home := t.TempDir()
	runCLI(t, ctx, cli, home, "auth", "add", "-u", s.URL, "-U", "root", "--password", servertest.RootPassword, "--default")
	name := "Uploaded by PeerTube's CLI"
	out := runCLI(t, ctx, cli, home, "upload", "-f", clip(t, 4), "-n", name)
	t.Logf("peertube upload:\n%s", out)

	var l struct {
		Data []videoState `json:"data"`
	}
	root := s.Root(t)
	root.Do("GET", "/api/v1/users/me/videos", nil).JSON(&l)
	if len(l.Data) != 1 {
		t.Fatalf("the root user has %d videos, want 1", len(l.Data))
	}
	v := servertest.WaitVideo[videoState](t, root, l.Data[0].UUID, 3*time.Minute, 1)
	if len(v.StreamingPlaylists) != 1 {
		t.Fatalf("published video = %+v", v)
	}
}
