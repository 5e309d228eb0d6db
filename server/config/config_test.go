package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	runnerconfig "cuttle.video/transcoder/runner/config"
)

func TestLayers(t *testing.T) {
	c := Default()
	if c.Listen != "127.0.0.1:9000" || c.DataDir != "./data" {
		t.Fatalf("defaults = %+v", c)
	}
	path := filepath.Join(t.TempDir(), "cuttle.yaml")
	yaml := "listen: 0.0.0.0:8080\ndata_dir: /srv/cuttle\nuploads:\n  max_file_size: 2GiB\n  resumable_expiry: 2h\ns3:\n  bucket: media\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CUTTLE_DATA_DIR": "/var/lib/cuttle", "CUTTLE_VIDEO_QUOTA": "10G", "CUTTLE_S3_PATH_STYLE": "false"}
	if err := c.LoadEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "0.0.0.0:8080" || c.DataDir != "/var/lib/cuttle" || c.Uploads.MaxFileSize != 2<<30 ||
		c.Uploads.ResumableExpiry != 2*time.Hour || c.Users.DefaultVideoQuota != 10<<30 || !c.S3.Enabled() || c.S3.PathStyle {
		t.Fatalf("layered config = %+v", c)
	}
	// A wildcard listen address gets a usable public URL.
	if c.PublicURL != "http://localhost:8080" {
		t.Fatalf("public url = %q", c.PublicURL)
	}
}

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.yaml")
	if err := os.WriteFile(typo, []byte("listn: 1.2.3.4:5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Default()
	if err := c.LoadFile(typo); err == nil || !strings.Contains(err.Error(), "listn") {
		t.Fatalf("unknown key: %v", err)
	}
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.LoadFile(empty); err != nil {
		t.Fatalf("an empty file: %v", err)
	}
	if err := c.LoadEnv(func(k string) (string, bool) { return "lots", k == "CUTTLE_MAX_FILE_SIZE" }); err == nil ||
		!strings.Contains(err.Error(), "CUTTLE_MAX_FILE_SIZE") {
		t.Fatalf("bad size: %v", err)
	}
	for key, mutate := range map[string]func(*Config){
		"listen":        func(c *Config) { c.Listen = "nope" },
		"public_url":    func(c *Config) { c.PublicURL = "ftp://x" },
		"database_url":  func(c *Config) { c.DatabaseURL = "mysql://x" },
		"redis_url":     func(c *Config) { c.RedisURL = "http://x" },
		"log_level":     func(c *Config) { c.LogLevel = "loud" },
		"max_file_size": func(c *Config) { c.Uploads.MaxFileSize = 0 },
	} {
		c := Default()
		mutate(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: got %v, want an error naming it", key, err)
		}
	}
}

func TestSize(t *testing.T) {
	for in, want := range map[string]Size{"1024": 1024, "8GiB": 8 << 30, "512M": 512 << 20, "-1": -1, "3 KiB": 3 << 10} {
		var s Size
		if err := s.Set(in); err != nil || s != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, s, err, want)
		}
	}
	for _, in := range []string{"", "abc", "-2", "-1G", "99999999999T"} {
		var s Size
		if err := s.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
}

// The example configuration admins copy must load as it is: every key
// known, every value valid.
func TestExampleConfig(t *testing.T) {
	c := Default()
	if err := c.LoadFile(filepath.Join("..", "..", "deploy", "cuttle.example.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the example configuration does not validate: %v", err)
	}
}

// A remote runner left at its defaults agrees with a server left at its
// own about presets, attempts and when a silent runner's job is taken
// over; the variables that set them have the same names in both.
func TestRunnerDefaultsAreTheServers(t *testing.T) {
	s, r := Default().Transcoding, runnerconfig.Default().Transcoding
	if s.Preset != r.Preset || s.MaxAttempts != r.MaxAttempts || s.ClaimIdle != r.ClaimIdle || s.Threads != r.Threads {
		t.Fatalf("server transcoding defaults %+v, runner's %+v", s, r)
	}
	env := map[string]string{"CUTTLE_X264_PRESET": "slow", "CUTTLE_MAX_ATTEMPTS": "5", "CUTTLE_CLAIM_IDLE": "5m",
		"CUTTLE_FFMPEG_THREADS": "2", "CUTTLE_REDIS_URL": "redis://r:6379/0"}
	get := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	sc, rc := Default(), runnerconfig.Default()
	if err := sc.LoadEnv(get); err != nil {
		t.Fatal(err)
	}
	if err := rc.LoadEnv(get); err != nil {
		t.Fatal(err)
	}
	st, rt := sc.Transcoding, rc.Transcoding
	if st.Preset != "slow" || st.MaxAttempts != 5 || st.ClaimIdle != 5*time.Minute || st.Threads != 2 ||
		st.Preset != rt.Preset || st.MaxAttempts != rt.MaxAttempts || st.ClaimIdle != rt.ClaimIdle || st.Threads != rt.Threads ||
		sc.RedisURL != rc.RedisURL {
		t.Fatalf("one environment, server %+v, runner %+v", st, rt)
	}
}

func TestAnnounceIntervalVariable(t *testing.T) {
	c := Default()
	if err := c.LoadEnv(func(k string) (string, bool) { return "30s", k == "CUTTLE_P2P_ANNOUNCE_INTERVAL" }); err != nil {
		t.Fatal(err)
	}
	if c.P2P.AnnounceInterval != 30*time.Second {
		t.Fatalf("announce interval = %v", c.P2P.AnnounceInterval)
	}
	if err := c.LoadEnv(func(k string) (string, bool) { return "often", k == "CUTTLE_P2P_ANNOUNCE_INTERVAL" }); err == nil ||
		!strings.Contains(err.Error(), "CUTTLE_P2P_ANNOUNCE_INTERVAL") {
		t.Fatalf("bad interval: %v", err)
	}
}
