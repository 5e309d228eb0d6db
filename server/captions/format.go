package captions

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// FormatError says why a caption file was refused, and where.
type FormatError struct {
	// Format is "WebVTT" or "SRT": what the file was read as.
	Format string
	// Line is 1-based; 0 when the problem is not on one line.
	Line int
	Msg  string
}

func (e *FormatError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("not a valid %s file: line %d: %s", e.Format, e.Line, e.Msg)
	}
	return fmt.Sprintf("not a valid %s file: %s", e.Format, e.Msg)
}

// ToWebVTT checks a caption file and returns it as WebVTT. A file that
// starts with the WEBVTT signature is checked as WebVTT and kept as it
// is, apart from its line ends; anything else is read as SubRip (SRT)
// and converted. Either way it must hold at least one cue.
func ToWebVTT(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	format := "SRT"
	if bytes.HasPrefix(data, []byte("WEBVTT")) {
		format = "WebVTT"
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, &FormatError{Format: format, Msg: "the text is not UTF-8"}
	}
	lines := splitLines(string(data))
	if format == "WebVTT" {
		if err := checkVTT(lines); err != nil {
			return nil, err
		}
		return []byte(strings.Join(lines, "\n") + "\n"), nil
	}
	return srtToVTT(lines)
}

// splitLines splits on CRLF, CR or LF and drops trailing blank lines.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func blank(line string) bool { return strings.TrimSpace(line) == "" }

// vttTiming matches a WebVTT cue timing line. Hours are optional; the
// format asks for at least two digits, browsers read one too.
var vttTiming = regexp.MustCompile(`^((?:\d+:)?\d{2}:\d{2}\.\d{3})[ \t]+-->[ \t]+((?:\d+:)?\d{2}:\d{2}\.\d{3})(?:[ \t].*)?$`)

// checkVTT follows the structure of the WebVTT format: the signature, a
// header, then blocks separated by blank lines, each a NOTE, STYLE or
// REGION block or a cue (an optional identifier, a timing line, text).
func checkVTT(lines []string) error {
	fail := func(line int, format string, args ...any) error {
		return &FormatError{Format: "WebVTT", Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if len(lines) == 0 || (lines[0] != "WEBVTT" && !strings.HasPrefix(lines[0], "WEBVTT ") && !strings.HasPrefix(lines[0], "WEBVTT\t")) {
		return fail(1, "the file must start with WEBVTT")
	}
	i := 1
	for ; i < len(lines) && !blank(lines[i]); i++ {
		if strings.Contains(lines[i], "-->") {
			return fail(i+1, "the header must be followed by a blank line before the first cue")
		}
	}
	cues := 0
	for i < len(lines) {
		if blank(lines[i]) {
			i++
			continue
		}
		start := i
		first := lines[i]
		if !strings.Contains(first, "-->") && isKeywordBlock(first) {
			for i < len(lines) && !blank(lines[i]) {
				i++
			}
			continue
		}
		timing := i
		if !strings.Contains(first, "-->") {
			timing = i + 1
			if timing >= len(lines) || blank(lines[timing]) {
				return fail(start+1, "%q is not a cue timing (like 00:01.000 --> 00:04.000)", first)
			}
		}
		if err := checkVTTTiming(lines[timing]); err != "" {
			return fail(timing+1, "%s", err)
		}
		cues++
		// The cue's text runs to the next blank line; a line with an
		// arrow starts the next cue, as WebVTT parsers read it.
		for i = timing + 1; i < len(lines) && !blank(lines[i]) && !strings.Contains(lines[i], "-->"); i++ {
		}
	}
	if cues == 0 {
		return &FormatError{Format: "WebVTT", Msg: "the file has no cues"}
	}
	return nil
}

func isKeywordBlock(line string) bool {
	for _, kw := range []string{"NOTE", "STYLE", "REGION"} {
		if line == kw || strings.HasPrefix(line, kw+" ") || strings.HasPrefix(line, kw+"\t") {
			return true
		}
	}
	return false
}

// checkVTTTiming returns what is wrong with a timing line, or "".
func checkVTTTiming(line string) string {
	m := vttTiming.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return fmt.Sprintf("%q is not a cue timing (like 00:01.000 --> 00:04.000)", line)
	}
	start, ok1 := vttMillis(m[1])
	end, ok2 := vttMillis(m[2])
	switch {
	case !ok1 || !ok2:
		return fmt.Sprintf("%q has minutes or seconds past 59", line)
	case end < start:
		return fmt.Sprintf("%q ends before it starts", line)
	}
	return ""
}

// vttMillis reads [hh:]mm:ss.ttt.
func vttMillis(s string) (int64, bool) {
	var h, m, sec, ms int64
	parts := strings.Split(s, ":")
	if len(parts) == 2 {
		parts = append([]string{"0"}, parts...)
	}
	if _, err := fmt.Sscanf(parts[0]+" "+parts[1]+" "+strings.Replace(parts[2], ".", " ", 1), "%d %d %d %d", &h, &m, &sec, &ms); err != nil {
		return 0, false
	}
	if m > 59 || sec > 59 {
		return 0, false
	}
	return ((h*60+m)*60+sec)*1000 + ms, true
}
