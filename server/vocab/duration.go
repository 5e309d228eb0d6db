package vocab

import (
	"strconv"
	"strings"
)

// maxDuration bounds a duration we read, in seconds: ten years is beyond
// any video and keeps the value far from overflowing anything it feeds.
const maxDuration = 10 * 365 * 24 * 3600

// FormatDuration writes a duration in seconds as PeerTube does: "PT42S".
func FormatDuration(seconds int) string {
	return "PT" + strconv.Itoa(max(seconds, 0)) + "S"
}

// ParseDuration reads an ISO 8601 duration of hours, minutes and seconds
// ("PT42S", "PT1H2M3S", "PT1.5S" rounded down). PeerTube only writes
// seconds, but other software writes the longer forms. Days, months, years
// and signs are refused: no video source writes them.
func ParseDuration(s string) (int, error) {
	rest, ok := strings.CutPrefix(s, "PT")
	if !ok || rest == "" {
		return 0, invalid("duration %q is not PT…S", s)
	}
	total, last := 0, -1
	for rest != "" {
		i := strings.IndexAny(rest, "HMS")
		if i <= 0 {
			return 0, invalid("duration %q is not PT…S", s)
		}
		num, unit := rest[:i], rest[i]
		rest = rest[i+1:]
		// Each unit at most once, in order: H, then M, then S.
		u := strings.IndexByte("HMS", unit)
		if u <= last {
			return 0, invalid("duration %q is not PT…S", s)
		}
		last = u
		if unit == 'S' {
			var frac string
			num, frac, _ = strings.Cut(num, ".")
			if strings.Trim(frac, "0123456789") != "" {
				return 0, invalid("duration %q is not PT…S", s)
			}
		}
		if num == "" || strings.Trim(num, "0123456789") != "" || len(num) > 10 {
			return 0, invalid("duration %q is not PT…S", s)
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return 0, invalid("duration %q: %v", s, err)
		}
		switch unit {
		case 'H':
			n *= 3600
		case 'M':
			n *= 60
		}
		total += n
		if total > maxDuration {
			return 0, invalid("duration %q is longer than ten years", s)
		}
	}
	return total, nil
}
