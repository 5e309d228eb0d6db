// Package config holds every setting of the transcoding runner, layered
// as the server's are: documented defaults, then a YAML file, then
// CUTTLE_* environment variables, then command-line flags; later layers
// win. Validate names the key that is wrong. The settings a runner shares
// with the server have the server's defaults, keys and variable names.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/settings"
)

// Config is the whole runner configuration.
type Config struct {
	// RedisURL is the job queue the runner takes jobs from; required.
	RedisURL string `yaml:"redis_url"`
	// Name is shown to admins and names the runner in the queue; two live
	// runners must not share it.
	Name string `yaml:"name"`
	// Concurrency is how many jobs run at once.
	Concurrency int `yaml:"concurrency"`
	// ScratchDir holds the files of the jobs running.
	ScratchDir string `yaml:"scratch_dir"`
	// LogLevel is one of debug, info, warn, error.
	LogLevel string `yaml:"log_level"`
	// Transcoding holds the server's transcoding keys a runner reads.
	Transcoding Transcoding `yaml:"transcoding"`
}

// Transcoding mirrors the server's transcoding section. MaxAttempts and
// ClaimIdle must match the server's, or the two disagree about lost jobs.
type Transcoding struct {
	// Threads is ffmpeg's -threads per job; 0 lets ffmpeg choose.
	Threads int `yaml:"threads"`
	// Preset is the x264 preset.
	Preset string `yaml:"preset"`
	// MaxAttempts is how often a job is tried before it fails for good.
	MaxAttempts int `yaml:"max_attempts"`
	// ClaimIdle is how long a job may go without a heartbeat before
	// another runner takes it over.
	ClaimIdle time.Duration `yaml:"claim_idle"`
}

// Default returns the documented defaults.
func Default() Config {
	host, _ := os.Hostname()
	return Config{
		Name:        host + "-" + strconv.Itoa(os.Getpid()),
		Concurrency: 1,
		ScratchDir:  filepath.Join(os.TempDir(), "cuttle-transcoder"),
		LogLevel:    "info",
		Transcoding: Transcoding{
			Preset: settings.Preset, MaxAttempts: settings.MaxAttempts, ClaimIdle: settings.ClaimIdle,
		},
	}
}

// setting is one key of the configuration: its variable, its flag and
// the field both set.
type setting struct {
	env, flag, usage, def string
	set                   func(string) error
}

func (c *Config) settings() []setting {
	t := &c.Transcoding
	return []setting{
		{"CUTTLE_REDIS_URL", "redis-url", "Redis `URL` of the job queue; required", "", settings.String(&c.RedisURL)},
		{"CUTTLE_RUNNER_NAME", "name", "runner `name` shown to admins", "hostname-pid", settings.String(&c.Name)},
		{"CUTTLE_RUNNER_CONCURRENCY", "concurrency", "run `n` jobs at once", "1", settings.Int(&c.Concurrency)},
		{"CUTTLE_SCRATCH_DIR", "scratch", "scratch `directory`", "cuttle-transcoder in the temporary directory", settings.String(&c.ScratchDir)},
		{"CUTTLE_LOG_LEVEL", "log-level", "`level`: debug, info, warn or error", "info", settings.String(&c.LogLevel)},
		{"CUTTLE_FFMPEG_THREADS", "threads", "`n` ffmpeg threads per job, 0 for ffmpeg's choice", "0", settings.Int(&t.Threads)},
		{"CUTTLE_X264_PRESET", "preset", "x264 `preset`", settings.Preset, settings.String(&t.Preset)},
		{"CUTTLE_MAX_ATTEMPTS", "max-attempts", "`n` attempts before a job fails for good; match the server's transcoding.max_attempts",
			strconv.Itoa(settings.MaxAttempts), settings.Int(&t.MaxAttempts)},
		{"CUTTLE_CLAIM_IDLE", "claim-idle", "take over jobs whose runner was silent this `long`; match the server's transcoding.claim_idle",
			settings.ClaimIdle.String(), settings.Duration(&t.ClaimIdle)},
	}
}

// LoadFile overlays the YAML file at path; unknown keys are errors.
func (c *Config) LoadFile(path string) error { return settings.LoadFile(path, c) }

// LoadEnv overlays CUTTLE_* variables from lookup (os.LookupEnv in
// production, a map in tests).
func (c *Config) LoadEnv(lookup func(string) (string, bool)) error {
	env := settings.Env{}
	for _, s := range c.settings() {
		env[s.env] = s.set
	}
	return env.Load(lookup)
}

// Load builds the validated configuration from the command line args and
// the environment lookup. Flags are parsed first but applied last, over
// the file named by --config and the environment. Help goes to output.
func Load(args []string, lookup func(string) (string, bool), output io.Writer) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet("cuttle-transcoder", flag.ContinueOnError)
	fs.SetOutput(output)
	file := fs.String("config", "", "YAML configuration `file`")
	var given []func() error
	for _, s := range c.settings() {
		usage := s.usage + " (" + s.env
		if s.def != "" {
			usage += ", default " + s.def
		}
		fs.Func(s.flag, usage+")", func(v string) error {
			given = append(given, func() error {
				if err := s.set(v); err != nil {
					return fmt.Errorf("config: --%s: %w", s.flag, err)
				}
				return nil
			})
			return nil
		})
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *file != "" {
		if err := c.LoadFile(*file); err != nil {
			return c, err
		}
	}
	if err := c.LoadEnv(lookup); err != nil {
		return c, err
	}
	for _, apply := range given {
		if err := apply(); err != nil {
			return c, err
		}
	}
	return c, c.Validate()
}

// Validate checks every field.
func (c *Config) Validate() error {
	if c.RedisURL == "" {
		return errors.New("config: redis_url: required (--redis-url or CUTTLE_REDIS_URL)")
	}
	if _, err := redis.ParseURL(c.RedisURL); err != nil {
		return fmt.Errorf("config: redis_url: %w", err)
	}
	if c.Name == "" {
		return errors.New("config: name: must not be empty")
	}
	if c.Concurrency < 1 {
		return errors.New("config: concurrency: must be at least 1")
	}
	if c.ScratchDir == "" {
		return errors.New("config: scratch_dir: must not be empty")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log_level: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	t := &c.Transcoding
	if t.Threads < 0 {
		return errors.New("config: transcoding.threads: must be 0 (ffmpeg's choice) or more")
	}
	if t.Preset == "" {
		return errors.New("config: transcoding.preset: must not be empty")
	}
	if t.MaxAttempts < 1 {
		return errors.New("config: transcoding.max_attempts: must be at least 1")
	}
	if t.ClaimIdle < time.Second {
		return errors.New("config: transcoding.claim_idle: must be at least 1s")
	}
	return nil
}
