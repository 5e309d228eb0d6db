package captions

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// srtTiming matches a SubRip timing line. Milliseconds are separated by
// a comma, or by a dot as some tools write; position coordinates after
// the end time are ignored.
var srtTiming = regexp.MustCompile(`^(\d{1,3}):(\d{2}):(\d{2})[,.](\d{1,3})[ \t]*-->[ \t]*(\d{1,3}):(\d{2}):(\d{2})[,.](\d{1,3})(?:[ \t].*)?$`)

var srtIndex = regexp.MustCompile(`^\d+$`)

// srtToVTT converts SubRip blocks (an index, a timing line, text lines)
// into WebVTT cues.
func srtToVTT(lines []string) ([]byte, error) {
	fail := func(line int, format string, args ...any) error {
		return &FormatError{Format: "SRT", Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	cues := 0
	for i := 0; i < len(lines); {
		if blank(lines[i]) {
			i++
			continue
		}
		start := i
		index := strings.TrimSpace(lines[i])
		timing := i
		if srtIndex.MatchString(index) {
			timing = i + 1
		} else {
			index = ""
		}
		if timing >= len(lines) || blank(lines[timing]) {
			return nil, fail(start+1, "a subtitle number must be followed by its timing (like 00:00:01,000 --> 00:00:04,000)")
		}
		from, to, msg := srtTimes(strings.TrimSpace(lines[timing]))
		if msg != "" {
			if cues == 0 && timing == start {
				msg = "the file is neither WebVTT (which starts with WEBVTT) nor SRT: " + msg
			}
			return nil, fail(timing+1, "%s", msg)
		}
		cues++
		b.WriteString("\n")
		if index != "" {
			b.WriteString(index + "\n")
		}
		b.WriteString(from + " --> " + to + "\n")
		for i = timing + 1; i < len(lines) && !blank(lines[i]); i++ {
			// A line left empty by removing markup would end the cue.
			if text := srtText(lines[i]); strings.TrimSpace(text) != "" {
				b.WriteString(text + "\n")
			}
		}
	}
	if cues == 0 {
		return nil, &FormatError{Format: "SRT", Msg: "the file has no subtitles"}
	}
	return []byte(b.String()), nil
}

// srtTimes converts a timing line into WebVTT's two times, or says what
// is wrong with it.
func srtTimes(line string) (from, to, problem string) {
	m := srtTiming.FindStringSubmatch(line)
	if m == nil {
		return "", "", fmt.Sprintf("%q is not a subtitle timing (like 00:00:01,000 --> 00:00:04,000)", line)
	}
	var ms [2]int64
	var out [2]string
	for k := range 2 {
		h, _ := strconv.ParseInt(m[1+4*k], 10, 64)
		mi, _ := strconv.ParseInt(m[2+4*k], 10, 64)
		s, _ := strconv.ParseInt(m[3+4*k], 10, 64)
		// "5" after the comma is half a second, as in a decimal fraction.
		frac, _ := strconv.ParseInt((m[4+4*k] + "00")[:3], 10, 64)
		if mi > 59 || s > 59 {
			return "", "", fmt.Sprintf("%q has minutes or seconds past 59", line)
		}
		ms[k] = ((h*60+mi)*60+s)*1000 + frac
		out[k] = fmt.Sprintf("%02d:%02d:%02d.%03d", h, mi, s, frac)
	}
	if ms[1] < ms[0] {
		return "", "", fmt.Sprintf("%q ends before it starts", line)
	}
	return out[0], out[1], ""
}

// srtFormatting is the markup SRT files carry that WebVTT does not read:
// font tags and the position codes of SSA ({\an8}).
var srtFormatting = regexp.MustCompile(`(?i)</?font[^>]*>|\{\\[^}]*\}`)

// vttTag is the markup both formats share, which is kept.
var vttTag = regexp.MustCompile(`^</?[ibu]>`)

// srtText turns a line of SRT text into WebVTT cue text: font markup
// goes, and a "<" that does not start a shared tag is escaped, as WebVTT
// would take it for the start of one; so is an arrow, which would end
// the cue.
func srtText(line string) string {
	line = srtFormatting.ReplaceAllString(line, "")
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '<' && !vttTag.MatchString(strings.ToLower(line[i:])):
			b.WriteString("&lt;")
		case strings.HasPrefix(line[i:], "-->"):
			b.WriteString("--&gt;")
			i += 2
		default:
			b.WriteByte(line[i])
		}
	}
	return b.String()
}
