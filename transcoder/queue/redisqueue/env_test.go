package redisqueue

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/queue/queuetest"
)

func requireServices() bool { return os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" }

// sharedRedis connects to the Redis in CUTTLE_TEST_REDIS_URL. Without it
// the test is skipped, unless CUTTLE_TEST_REQUIRE_SERVICES=1.
func sharedRedis(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv("CUTTLE_TEST_REDIS_URL")
	if url == "" {
		if requireServices() {
			t.Fatal("CUTTLE_TEST_REDIS_URL is not set but CUTTLE_TEST_REQUIRE_SERVICES=1")
		}
		t.Skip("CUTTLE_TEST_REDIS_URL is not set; skipping Redis tests")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("CUTTLE_TEST_REDIS_URL: %v", err)
	}
	return connect(t, opt)
}

func connect(t *testing.T, opt *redis.Options) *redis.Client {
	t.Helper()
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), queuetest.Timeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis at %s: %v", opt.Addr, err)
	}
	return client
}

// uniquePrefix keeps the keys of each test apart on a shared Redis, and
// deletes them when the test ends.
func uniquePrefix(t *testing.T, client *redis.Client) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "cuttletest-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), queuetest.Timeout)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Logf("deleting test keys: %v", err)
		}
	})
	return prefix
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newQueue returns a queue on client closed when the test ends; cfg gets
// the test's logger.
func newQueue(t *testing.T, client *redis.Client, cfg Config) *Queue {
	t.Helper()
	cfg.Logger = testLogger(t)
	q, err := New(client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	return q
}

// server is a redis-server of a test's own, for tests that wipe or
// restart it.
type server struct {
	port int
	cmd  *exec.Cmd
	// exited is closed once its output ends, i.e. it is gone.
	exited chan struct{}
}

// startServer starts a redis-server without persistence on port (0: a
// free one) and stops it when the test ends.
func startServer(t *testing.T, port int) *server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if requireServices() {
			t.Fatal("redis-server is not installed but CUTTLE_TEST_REQUIRE_SERVICES=1")
		}
		t.Skip("redis-server is not installed")
	}
	if port == 0 {
		port = freePort(t)
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--daemonize", "no")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	s := &server{port: port, cmd: cmd, exited: make(chan struct{})}
	t.Cleanup(s.kill)
	ready := make(chan struct{})
	var log strings.Builder
	go func() {
		defer close(s.exited)
		sc := bufio.NewScanner(out)
		started := false
		for !started && sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				close(ready)
				started = true
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case <-ready:
	case <-s.exited:
		t.Fatalf("redis-server on port %d exited:\n%s", port, log.String())
	case <-time.After(queuetest.Timeout):
		t.Fatalf("redis-server on port %d not ready within %v", port, queuetest.Timeout)
	}
	return s
}

// kill stops the server at once, as a crash would.
func (s *server) kill() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	_ = s.cmd.Wait()
}

func (s *server) options() *redis.Options {
	return &redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
