package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Size is a byte count written as a plain number or with a binary suffix
// (KiB, MiB, GiB, TiB; K, M, G, T mean the same). -1 means unlimited.
type Size int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1},
}

// Set parses s into the size.
func (s *Size) Set(v string) error {
	v = strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || (n < 0 && !(n == -1 && mult == 1)) {
		return fmt.Errorf("not a size: %q", v)
	}
	if n > 0 && n > (1<<62)/mult {
		return fmt.Errorf("size too large: %q", v)
	}
	*s = Size(n * mult)
	return nil
}

func (s Size) String() string { return strconv.FormatInt(int64(s), 10) }

// UnmarshalYAML accepts both numbers and suffixed strings.
func (s *Size) UnmarshalYAML(unmarshal func(any) error) error {
	var raw string
	if err := unmarshal(&raw); err != nil {
		return err
	}
	return s.Set(raw)
}
