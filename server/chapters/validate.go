package chapters

import (
	"fmt"
	"slices"
	"unicode/utf8"
)

// MaxChapters bounds the chapters of one video.
const MaxChapters = 500

// Check validates chapters sent through the API and returns them sorted
// by time with their titles tidied, or the problems it found by field.
func Check(in []Chapter) ([]Chapter, map[string]string) {
	bad := map[string]string{}
	if len(in) > MaxChapters {
		bad["chapters"] = fmt.Sprintf("at most %d chapters", MaxChapters)
		return nil, bad
	}
	out := make([]Chapter, 0, len(in))
	seen := map[int]bool{}
	for i, c := range in {
		c.Title = cleanTitle(c.Title)
		field := fmt.Sprintf("chapters[%d]", i)
		switch n := utf8.RuneCountInString(c.Title); {
		case c.Timecode < 0:
			bad[field+".timecode"] = "must be a number of seconds, at least 0"
		case seen[c.Timecode]:
			bad[field+".timecode"] = "another chapter starts at the same time"
		case n < 1 || n > MaxTitle:
			bad[field+".title"] = fmt.Sprintf("must be between 1 and %d characters", MaxTitle)
		}
		seen[c.Timecode] = true
		out = append(out, c)
	}
	if len(bad) > 0 {
		return nil, bad
	}
	slices.SortFunc(out, func(a, b Chapter) int { return a.Timecode - b.Timecode })
	return out, nil
}
