// Package settings is what the server and the transcoding runner share
// about their configuration: the defaults the two must agree on, and the
// layers both read after their defaults, a YAML file that refuses
// unknown keys and CUTTLE_* variables whose bad values are errors naming
// the variable. It lives in the transcoder module because the server
// imports that module and not the other way round.
package settings

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults that a server and its remote runners must share: a runner
// that takes over jobs sooner than the server expects, or retries them a
// different number of times, disagrees with it about every lost job.
const (
	// Preset is the x264 preset.
	Preset = "veryfast"
	// MaxAttempts is how often a job is tried before it fails for good.
	MaxAttempts = 3
	// ClaimIdle is how long a job may go without a heartbeat from its
	// runner before another runner takes it over.
	ClaimIdle = 2 * time.Minute
)

// LoadFile overlays the YAML file at path on dst; unknown keys are
// errors so a typo does not silently fall back to a default.
func LoadFile(path string, dst any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	// An empty file decodes to io.EOF and simply overrides nothing.
	if err := dec.Decode(dst); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	return nil
}

// Env maps each CUTTLE_* variable to the setter of the field it sets.
type Env map[string]func(string) error

// Load overlays the variables lookup finds (os.LookupEnv in production,
// a map in tests); a value its setter refuses is an error naming the
// variable.
func (e Env) Load(lookup func(string) (string, bool)) error {
	for name, set := range e {
		v, ok := lookup(name)
		if !ok {
			continue
		}
		if err := set(v); err != nil {
			return fmt.Errorf("config: %s: %w", name, err)
		}
	}
	return nil
}

// String sets *p to the value as it is.
func String(p *string) func(string) error {
	return func(v string) error { *p = v; return nil }
}

// Bool sets *p to a boolean as strconv.ParseBool reads it.
func Bool(p *bool) func(string) error {
	return func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("not a boolean: %q", v)
		}
		*p = b
		return nil
	}
}

// List sets *p to a comma-separated list; an empty value clears it.
func List(p *[]string) func(string) error {
	return func(v string) error {
		*p = nil
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				*p = append(*p, item)
			}
		}
		return nil
	}
}

// Int sets *p to a decimal integer.
func Int(p *int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not an integer: %q", v)
		}
		*p = n
		return nil
	}
}

// Float sets *p to a number.
func Float(p *float64) func(string) error {
	return func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("not a number: %q", v)
		}
		*p = f
		return nil
	}
}

// Duration sets *p to a duration as time.ParseDuration reads it.
func Duration(p *time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration: %q", v)
		}
		*p = d
		return nil
	}
}
