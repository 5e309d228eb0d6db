// Package servertest starts real Cuttle servers for tests: on SQLite, and
// on PostgreSQL when the test harness provides one, with a clock the test
// can move forward.
package servertest

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"

	"cuttle.video/server/app"
	"cuttle.video/server/config"
)

// RootPassword is the root admin's password in every test server.
const RootPassword = "root-password-for-tests"

// Backend names a database setup.
type Backend string

// The backends tests run on.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// requireServices is set by the test harness so a missing service fails
// the run instead of silently skipping half of it.
func requireServices() bool { return os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" }

// EachBackend runs fn as a subtest on every database backend.
func EachBackend(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range []Backend{SQLite, Postgres} {
		t.Run(string(b), func(t *testing.T) {
			if b == Postgres && os.Getenv("CUTTLE_TEST_POSTGRES_URL") == "" {
				if requireServices() {
					t.Fatal("CUTTLE_TEST_POSTGRES_URL is not set")
				}
				t.Skip("CUTTLE_TEST_POSTGRES_URL is not set; run through make test")
			}
			fn(t, b)
		})
	}
}

// Clock is a wall clock that tests can move forward.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the shifted time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Server is a running test server.
type Server struct {
	URL    string
	App    *app.App
	Config config.Config
	Clock  *Clock
	stop   func()
	// publicURL is the public URL a tweak set, kept across restarts;
	// when empty the public URL follows the listener.
	publicURL string
}

// Start runs a server on b with a fresh data directory and database;
// tweak adjusts the configuration first. Everything is removed when the
// test ends. A tweak that sets PublicURL gives the server an address
// other than its listener, as behind a proxy; the test still reaches it
// at URL.
func Start(t *testing.T, b Backend, tweak ...func(*config.Config)) *Server {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.AdminPassword = RootPassword
	cfg.LoginRateLimit.Burst = 1000
	if b == Postgres {
		cfg.DatabaseURL = CreateDatabase(t)
	}
	for _, f := range tweak {
		f(&cfg)
	}
	s := &Server{Config: cfg, Clock: &Clock{}, publicURL: cfg.PublicURL}
	s.start(t)
	t.Cleanup(func() { s.stop() })
	return s
}

// start runs the app on a new listener; the public URL follows it.
func (s *Server) start(t *testing.T) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	s.Config.Listen = srv.Listener.Addr().String()
	s.Config.PublicURL = cmp.Or(s.publicURL, "http://"+s.Config.Listen)
	if err := s.Config.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	a, err := app.New(context.Background(), s.Config, log, app.Options{Now: s.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = a.Listener(srv.Listener)
	srv.Config.Handler = a.Handler()
	srv.Start()
	s.URL, s.App = srv.URL, a
	s.stop = func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	}
}

// Restart stops the server and starts it again on the same data and
// database, as after a crash or an upgrade. The URL changes.
func (s *Server) Restart(t *testing.T) {
	t.Helper()
	s.RestartAfter(t, nil)
}

// RestartAfter stops the server, runs fn (when not nil) while nothing
// else touches its data, so that fn can leave them as a process that
// died half-way through would, then starts it again. The URL changes.
func (s *Server) RestartAfter(t *testing.T, fn func()) {
	t.Helper()
	s.stop()
	s.stop = func() {}
	if fn != nil {
		fn()
	}
	s.start(t)
}

// CreateDatabase makes an empty PostgreSQL database on the harness's
// server and drops it when the test ends.
func CreateDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("CUTTLE_TEST_POSTGRES_URL")
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(base)))
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	name := "cuttle_test_" + hex.EncodeToString(rnd[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// NewName returns a unique lowercase name with a prefix, for users and
// channels.
func NewName(prefix string) string {
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	return strings.ToLower(fmt.Sprintf("%s%s", prefix, hex.EncodeToString(rnd[:])))
}

// OriginalFile returns the path where local media storage keeps a video's
// original uploaded as name.
func (s *Server) OriginalFile(videoUUID, ext string) string {
	return filepath.Join(s.Config.DataDir, "media", "originals", videoUUID, "original"+ext)
}

// UploadFiles lists what the uploads and images directories hold
// (partial and spooled uploads, images waiting to be stored).
func (s *Server) UploadFiles(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, dir := range []string{"uploads", "images"} {
		entries, err := os.ReadDir(filepath.Join(s.Config.DataDir, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			names = append(names, dir+"/"+e.Name())
		}
	}
	return names
}

// FastTranscoding makes the server's own transcoding as quick as it gets,
// for tests that need published videos rather than good pictures.
func FastTranscoding(c *config.Config) {
	c.Transcoding.Preset = "ultrafast"
	c.Transcoding.Threads = 2
}

// NeedsPostgres skips (or, under the harness, fails) a test that needs
// the harness's PostgreSQL and S3.
func NeedsPostgres(t *testing.T) {
	t.Helper()
	if os.Getenv("CUTTLE_TEST_POSTGRES_URL") == "" {
		if requireServices() {
			t.Fatal("CUTTLE_TEST_POSTGRES_URL is not set")
		}
		t.Skip("needs the harness's PostgreSQL and S3; run through make test")
	}
}

// EachSetup runs fn on the embedded setup (SQLite, local media) and on
// the scaled-out one's database and storage (PostgreSQL, S3); start
// starts a server on the setup.
func EachSetup(t *testing.T, fn func(t *testing.T, start func(...func(*config.Config)) *Server)) {
	EachBackend(t, func(t *testing.T, b Backend) {
		var base []func(*config.Config)
		if b == Postgres {
			tweak, _ := S3(t)
			base = append(base, tweak)
		}
		fn(t, func(tweaks ...func(*config.Config)) *Server {
			return Start(t, b, append(base, tweaks...)...)
		})
	})
}
