package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cuttle.video/server/servertest"
)

// These tests run the real binary, as an admin would: killed, stopped,
// restarted, driven from the command line.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cuttle-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "cuttle")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build cuttle: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type process struct {
	cmd    *exec.Cmd
	url    string
	done   chan error
	stderr *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs `cuttle serve` on dataDir and waits until it says where it is.
func start(t *testing.T, dataDir, addr string) *process {
	t.Helper()
	return startWith(t, []string{"--data", dataDir, "--listen", addr}, nil)
}

// startWith runs `cuttle serve` with extra flags and environment.
func startWith(t *testing.T, args, env []string) *process {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Env = append(append(os.Environ(), "CUTTLE_ADMIN_PASSWORD="+servertest.RootPassword, "CUTTLE_LOG_LEVEL=warn"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan error, 1), stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "Cuttle is running at "); ok {
			p.url = u
			break
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		p.done <- cmd.Wait()
	}()
	if p.url == "" {
		_ = cmd.Process.Kill()
		<-p.done
		t.Fatalf("the server did not start: %s", p.stderr)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *process) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit")
		return nil
	}
}

func clipBytes(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(servertest.Clip(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openChunk starts a chunk request for data[start:] and sends its first n
// bytes; the caller decides how the request ends.
func openChunk(t *testing.T, c *servertest.Client, loc string, start int64, data []byte, n int) net.Conn {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(len(data))
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Range: bytes %d-%d/%d\r\nContent-Length: %d\r\n\r\n",
		u.RequestURI(), u.Host, c.Token, start, total-1, total, total-start)
	if _, err := conn.Write(data[start : start+int64(n)]); err != nil {
		t.Fatal(err)
	}
	return conn
}

// partSize is how many bytes of the only upload in progress are on disk.
func partSize(t *testing.T, dataDir string) int64 {
	t.Helper()
	parts, _ := filepath.Glob(filepath.Join(dataDir, "uploads", "part-*"))
	if len(parts) != 1 {
		return 0
	}
	fi, err := os.Stat(parts[0])
	if err != nil {
		return 0
	}
	return fi.Size()
}

func TestKilledDuringResumableUpload(t *testing.T) {
	dataDir, addr := t.TempDir(), freeAddr(t)
	data := clipBytes(t)
	total := int64(len(data))

	p := start(t, dataDir, addr)
	s := &servertest.Server{URL: p.url}
	root := s.Root(t)
	loc := root.InitUpload(total, map[string]any{"name": "Survivor", "channelId": root.Channel(), "filename": "clip.mp4"}).
		Expect(http.StatusCreated).Header.Get("Location")
	first := total / 4
	root.PutChunk(loc, 0, data[:first], total).Expect(http.StatusPermanentRedirect)

	// Kill the server while the second chunk is half-way through.
	conn := openChunk(t, root, loc, first, data, int(total/4))
	deadline := time.Now().Add(10 * time.Second)
	for partSize(t, dataDir) < first+total/4 {
		if time.Now().After(deadline) {
			t.Fatalf("the server never stored the half chunk (%d bytes on disk)", partSize(t, dataDir))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.wait(t)
	conn.Close()

	// Restarted, it knows what it has; the client resumes from there.
	start(t, dataDir, addr)
	root = s.Root(t)
	stored := root.UploadStatus(loc, total).Expect(http.StatusPermanentRedirect).StoredRange()
	if stored < first+total/4 {
		t.Fatalf("after the crash %d bytes are stored, want at least %d", stored, first+total/4)
	}
	var up servertest.UploadedVideo
	root.PutChunk(loc, stored, data[stored:], total).Expect(http.StatusOK).JSON(&up)
	stored2, err := os.ReadFile(filepath.Join(dataDir, "media", "originals", up.Video.UUID, "original.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(stored2) != sha256.Sum256(data) {
		t.Fatal("the file finished after the crash is not the one uploaded")
	}
}

func TestSIGTERMFinishesRequestsInFlight(t *testing.T) {
	dataDir, addr := t.TempDir(), freeAddr(t)
	data := clipBytes(t)
	total := int64(len(data))
	p := start(t, dataDir, addr)
	root := (&servertest.Server{URL: p.url}).Root(t)
	loc := root.InitUpload(total, map[string]any{"name": "Last words", "channelId": root.Channel(), "filename": "clip.mp4"}).
		Expect(http.StatusCreated).Header.Get("Location")

	conn := openChunk(t, root, loc, 0, data, len(data)/2)
	defer conn.Close()
	deadline := time.Now().Add(10 * time.Second)
	for partSize(t, dataDir) < total/2 {
		if time.Now().After(deadline) {
			t.Fatal("the server never received the first half")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The rest of the file still arrives and the upload completes.
	if _, err := conn.Write(data[total/2:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to the request in flight: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"uuid"`)) {
		t.Fatalf("in-flight upload: %d %s", res.StatusCode, body)
	}
	if err := p.wait(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
	}
}

func TestAdminCommands(t *testing.T) {
	dataDir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command(binary, append(args, "--data", dataDir)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("admin", "create-user", "--username", "bob", "--email", "bob@example.com", "--password", "bob-password", "--role", "1")
	if err != nil || !strings.Contains(out, "created user bob") {
		t.Fatalf("create-user: %v\n%s", err, out)
	}
	out, err = run("admin", "create-user", "--username", "Bad Name", "--email", "nope", "--password", "x")
	if err == nil || !strings.Contains(out, "username") || !strings.Contains(out, "email") {
		t.Fatalf("create-user with bad input: %v\n%s", err, out)
	}
	out, err = run("admin", "reset-password", "--username", "bob")
	if err != nil {
		t.Fatalf("reset-password: %v\n%s", err, out)
	}
	_, newPassword, ok := strings.Cut(out, "password: ")
	if !ok {
		t.Fatalf("reset-password printed no password:\n%s", out)
	}
	out, err = run("admin", "reset-password", "--username", "ghost", "--password", "whatever1")
	if err == nil || !strings.Contains(out, "not found") {
		t.Fatalf("reset-password of an unknown user: %v\n%s", err, out)
	}

	// Flags win over the environment, which wins over the config file.
	cfgFile := filepath.Join(t.TempDir(), "cuttle.yaml")
	if err := os.WriteFile(cfgFile, []byte("listen: not-an-address\nlog_level: shout\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startWith(t, []string{"--config", cfgFile, "--data", dataDir, "--listen", freeAddr(t)},
		[]string{"CUTTLE_LISTEN=also-not-an-address", "CUTTLE_LOG_LEVEL=info"})
	bob := (&servertest.Server{URL: p.url}).Client(t, "bob", strings.TrimSpace(newPassword))
	var me struct {
		Role struct{ ID int } `json:"role"`
	}
	bob.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
	if me.Role.ID != 1 {
		t.Fatalf("bob's role = %d, want moderator", me.Role.ID)
	}
}

func TestServeRefusesBadSettings(t *testing.T) {
	cmd := exec.Command(binary, "serve", "--listen", "no-port-here", "--data", t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "listen") {
		t.Fatalf("bad --listen: %v\n%s", err, out)
	}
	cmd = exec.Command(binary, "serve", "--data", t.TempDir())
	cmd.Env = append(os.Environ(), "CUTTLE_DATABASE_URL=mysql://nope")
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "database_url") {
		t.Fatalf("bad CUTTLE_DATABASE_URL: %v\n%s", err, out)
	}
}
