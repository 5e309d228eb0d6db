package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// Each layer wins over the one before: defaults, file, environment, flags.
func TestLayers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runner.yaml")
	yaml := "redis_url: redis://file:6379/0\nconcurrency: 2\nscratch_dir: /file\ntranscoding:\n  preset: fast\n  threads: 2\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CUTTLE_RUNNER_CONCURRENCY": "3", "CUTTLE_X264_PRESET": "medium", "CUTTLE_CLAIM_IDLE": "5m"}
	c, err := Load([]string{"--config", path, "--preset", "slow", "--max-attempts", "5"}, lookup(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.RedisURL, want.ScratchDir = "redis://file:6379/0", "/file" // file
	want.Transcoding.Threads = 2                                    // file
	want.Concurrency, want.Transcoding.ClaimIdle = 3, 5*time.Minute // environment over file
	want.Transcoding.Preset = "slow"                                // flag over environment over file
	want.Transcoding.MaxAttempts = 5                                // flag
	if c != want {
		t.Fatalf("layered config\n got %+v\nwant %+v", c, want)
	}
}

// Flags that existed before the configuration file keep working alone.
func TestFlagsAlone(t *testing.T) {
	c, err := Load([]string{"--redis-url", "redis://r:6379/0", "--name", "runner-1", "--concurrency", "2",
		"--threads", "4", "--scratch", "/s", "--claim-idle", "30s", "--log-level", "debug"}, lookup(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "runner-1" || c.Concurrency != 2 || c.Transcoding.Threads != 4 || c.ScratchDir != "/s" ||
		c.Transcoding.ClaimIdle != 30*time.Second || c.LogLevel != "debug" {
		t.Fatalf("config = %+v", c)
	}
}

// A malformed value is an error naming where it came from, never a
// silent default.
func TestBadValuesNameTheirKey(t *testing.T) {
	redis := map[string]string{"CUTTLE_REDIS_URL": "redis://r:6379/0"}
	with := func(k, v string) map[string]string {
		env := map[string]string{k: v}
		for k, v := range redis {
			env[k] = v
		}
		return env
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad integer in the environment", nil, with("CUTTLE_RUNNER_CONCURRENCY", "two"), "CUTTLE_RUNNER_CONCURRENCY"},
		{"bad duration in the environment", nil, with("CUTTLE_CLAIM_IDLE", "soon"), "CUTTLE_CLAIM_IDLE"},
		{"bad integer flag", []string{"--max-attempts", "x"}, redis, "--max-attempts"},
		{"no queue", nil, nil, "redis_url"},
		{"not a Redis URL", nil, map[string]string{"CUTTLE_REDIS_URL": "http://r"}, "redis_url"},
		{"no concurrency", []string{"--concurrency", "0"}, redis, "concurrency"},
		{"claim idle too short", nil, with("CUTTLE_CLAIM_IDLE", "10ms"), "transcoding.claim_idle"},
		{"no attempts", nil, with("CUTTLE_MAX_ATTEMPTS", "0"), "transcoding.max_attempts"},
		{"negative threads", nil, with("CUTTLE_FFMPEG_THREADS", "-1"), "transcoding.threads"},
		{"empty preset", nil, with("CUTTLE_X264_PRESET", ""), "transcoding.preset"},
		{"unknown log level", nil, with("CUTTLE_LOG_LEVEL", "loud"), "log_level"},
	} {
		_, err := Load(tc.args, lookup(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
}

func TestFileRefusesUnknownKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runner.yaml")
	if err := os.WriteFile(path, []byte("transcoding:\n  presset: slow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Default()
	if err := c.LoadFile(path); err == nil || !strings.Contains(err.Error(), "presset") {
		t.Fatalf("unknown key: %v", err)
	}
}
