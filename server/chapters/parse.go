// Package chapters holds the rules of a video's chapters: the ones its
// owner sets through the API, or else the ones its description lists,
// and the WebVTT chapters track players read.
package chapters

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Chapter starts at Timecode seconds into the video.
type Chapter struct {
	Timecode int    `json:"timecode"`
	Title    string `json:"title"`
}

const (
	// MaxTitle is the longest title, in characters, as in PeerTube.
	MaxTitle = 100
	// MinFromDescription is how many timestamped lines a description
	// needs before they are taken for chapters: one alone is more likely
	// a remark about a moment than a table of contents.
	MinFromDescription = 2
)

// timestampLine matches "1:02:03 Title" and "02:03 Title": an optional
// hour, minutes, seconds, then a space, then the title, which may be set
// off by a dash, a colon or a bar ("00:00 - Intro").
var timestampLine = regexp.MustCompile(`^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})\s+(?:[-–—:|]\s+)?(\S.*)$`)

// Parse reads chapters from a description: the first block of
// consecutive lines that start with a timestamp, ending at the first line
// that does not. Lines whose time is not after the previous line's are
// skipped, titles are cut to MaxTitle characters, and fewer than
// MinFromDescription chapters make none.
func Parse(description string) []Chapter {
	var out []Chapter
	last := -1
	for _, line := range strings.Split(strings.ReplaceAll(description, "\r\n", "\n"), "\n") {
		c, ok := parseLine(line)
		if !ok {
			if out != nil {
				break
			}
			continue
		}
		if out == nil {
			out = []Chapter{}
		}
		if c.Timecode <= last {
			continue
		}
		last = c.Timecode
		out = append(out, c)
	}
	if len(out) < MinFromDescription {
		return []Chapter{}
	}
	return out
}

func parseLine(line string) (Chapter, bool) {
	m := timestampLine.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return Chapter{}, false
	}
	hours, _ := strconv.Atoi(m[1])
	minutes, _ := strconv.Atoi(m[2])
	seconds, _ := strconv.Atoi(m[3])
	if seconds >= 60 || (m[1] != "" && minutes >= 60) {
		return Chapter{}, false
	}
	title := cleanTitle(m[4])
	if title == "" {
		return Chapter{}, false
	}
	if utf8.RuneCountInString(title) > MaxTitle {
		title = strings.TrimSpace(string([]rune(title)[:MaxTitle]))
	}
	return Chapter{Timecode: hours*3600 + minutes*60 + seconds, Title: title}, true
}

// cleanTitle folds runs of white space, tabs included, into one space.
func cleanTitle(s string) string { return strings.Join(strings.Fields(s), " ") }
