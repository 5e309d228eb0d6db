package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	body := servertest.WaitState(t, root, l.Data[0].UUID, 3*time.Minute, 1)

	// Published, its files are the HLS renditions alone, each a VideoFile
	// with PeerTube's types. A rendition is many segments, so it has no
	// file or torrent address.
	v := decodeNumbers(t, body)
	if files, _ := v["files"].([]any); len(files) != 0 {
		t.Fatalf("files of a published video = %v, want none", files)
	}
	playlists, _ := v["streamingPlaylists"].([]any)
	if len(playlists) != 1 {
		t.Fatalf("streamingPlaylists = %v", playlists)
	}
	renditions, _ := playlists[0].(map[string]any)["files"].([]any)
	if len(renditions) == 0 {
		t.Fatal("the HLS playlist has no files")
	}
	for i, r := range renditions {
		f := checkVideoFile(t, fmt.Sprintf("streamingPlaylists[0].files[%d]", i), r, append(videoFileFields, "playlistUrl")...)
		var meta struct {
			Streams []struct {
				CodecName string `json:"codec_name"`
			} `json:"streams"`
		}
		root.Do("GET", strings.TrimPrefix(f["metadataUrl"].(string), s.URL), nil).Expect(http.StatusOK).JSON(&meta)
		if len(meta.Streams) == 0 || meta.Streams[0].CodecName == "" {
			t.Errorf("metadata of rendition %d = %+v", i, meta)
		}
	}
}
