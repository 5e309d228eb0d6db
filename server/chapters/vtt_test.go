package chapters

import (
	"strings"
	"testing"
)

func TestVTTTitleCannotAddCues(t *testing.T) {
	for _, title := range []string{
		"One\r\r00:00:05.000 --> 00:00:09.000\rInjected",
		"One\r\n\r\n00:00:05.000 --> 00:00:09.000\r\nInjected",
		"One\n\n00:00:05.000 --> 00:00:09.000\nInjected",
	} {
		track := string(VTT([]Chapter{{Timecode: 0, Title: title}}, 10))
		if strings.Count(track, "-->") != 1 || strings.ContainsAny(track, "\r") {
			t.Errorf("title %q made the track:\n%q", title, track)
		}
	}
}
