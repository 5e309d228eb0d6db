package chapters

import (
	"fmt"
	"strings"
)

// VTT renders chapters as a WebVTT chapters track: each cue lasts until
// the next chapter starts, the last one until the end of the video (or a
// second past its start when the duration is not known yet).
func VTT(cs []Chapter, duration int) []byte {
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	for i, c := range cs {
		end := duration
		if i+1 < len(cs) {
			end = cs[i+1].Timecode
		}
		if end <= c.Timecode {
			end = c.Timecode + 1
		}
		fmt.Fprintf(&b, "\n%d\n%s --> %s\n%s\n", i+1, vttTime(c.Timecode), vttTime(end), cueText(c.Title))
	}
	return []byte(b.String())
}

func vttTime(s int) string {
	return fmt.Sprintf("%02d:%02d:%02d.000", s/3600, s/60%60, s%60)
}

// cueText escapes what WebVTT reads as markup (which also defuses the
// "-->" of a timing line) and folds every line break into a space: WebVTT
// ends a line at CR as well as LF, and a title spanning lines could add
// cues of its own. Titles are tidied when stored, but rows written before
// that, or by hand, reach this too.
var cueText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r\n", " ", "\r", " ", "\n", " ").Replace
