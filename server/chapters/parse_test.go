package chapters

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	long := strings.Repeat("é", MaxTitle+20)
	cases := []struct {
		name        string
		description string
		want        []Chapter
	}{
		{"without hours", "00:00 Intro\n02:30 The middle\n10:05 The end",
			[]Chapter{{0, "Intro"}, {150, "The middle"}, {605, "The end"}}},
		{"with hours", "0:00:00 Intro\n1:02:03 Questions\n12:00:59 Late",
			[]Chapter{{0, "Intro"}, {3723, "Questions"}, {43259, "Late"}}},
		{"mixed, one-digit minutes", "0:00 Intro\n9:59 Nearly ten\n1:00:00 An hour",
			[]Chapter{{0, "Intro"}, {599, "Nearly ten"}, {3600, "An hour"}}},
		{"one line only", "00:00 Intro", []Chapter{}},
		{"one line then prose", "00:00 Intro\nThis talk is about chapters.", []Chapter{}},
		{"no timestamps", "A video about things.\nNothing more.", []Chapter{}},
		{"empty", "", []Chapter{}},
		{"the block stops at the first other line", "00:00 Intro\n01:00 Part one\nLinks below\n02:00 Not a chapter\n03:00 Nor this",
			[]Chapter{{0, "Intro"}, {60, "Part one"}}},
		{"a blank line ends the block", "00:00 Intro\n01:00 Part one\n\n02:00 Later",
			[]Chapter{{0, "Intro"}, {60, "Part one"}}},
		{"only the first block", "Welcome!\n\n00:00 Intro\n00:30 Setup\n\nCredits:\n00:40 Someone\n00:50 Else",
			[]Chapter{{0, "Intro"}, {30, "Setup"}}},
		{"duplicate and backwards timecodes are skipped", "00:00 Intro\n00:00 Intro again\n01:00 Part one\n00:30 Back in time\n02:00 Part two",
			[]Chapter{{0, "Intro"}, {60, "Part one"}, {120, "Part two"}}},
		{"duplicates leaving one chapter make none", "00:10 Intro\n00:10 Same", []Chapter{}},
		{"overlong titles are cut", "00:00 " + long + "\n00:10 Short",
			[]Chapter{{0, strings.Repeat("é", MaxTitle)}, {10, "Short"}}},
		{"separators and spaces", "  00:00 - Intro\r\n00:10 –  Next\tpart\r\n00:20 | Last",
			[]Chapter{{0, "Intro"}, {10, "Next part"}, {20, "Last"}}},
		{"a timestamp without a title ends the block", "00:00 Intro\n00:10 Next\n00:20\n00:30 Late",
			[]Chapter{{0, "Intro"}, {10, "Next"}}},
		{"not timestamps", "10:30am meeting\n1:75 nope\n99:99:99 nope", []Chapter{}},
		{"a time must be followed by a space", "00:00Intro\n00:10Next", []Chapter{}},
		{"seconds past 59 end the block", "00:00 Intro\n00:10 Next\n00:60 Bad", []Chapter{{0, "Intro"}, {10, "Next"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Parse(c.description)
			if got == nil {
				t.Fatal("Parse returned nil; the API answers [] for no chapters")
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Parse(%q) =\n%+v\nwant\n%+v", c.description, got, c.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	got, bad := Check([]Chapter{{60, "  Second\n part "}, {0, "First"}})
	if bad != nil || !reflect.DeepEqual(got, []Chapter{{0, "First"}, {60, "Second part"}}) {
		t.Fatalf("Check = %+v, %v", got, bad)
	}
	for name, in := range map[string][]Chapter{
		"duplicate timecode": {{0, "A"}, {0, "B"}},
		"negative timecode":  {{-1, "A"}},
		"empty title":        {{0, "   "}},
		"overlong title":     {{0, strings.Repeat("x", MaxTitle+1)}},
	} {
		if _, bad := Check(in); bad == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if got, bad := Check(nil); bad != nil || len(got) != 0 {
		t.Errorf("no chapters: %v, %v", got, bad)
	}
}

func TestVTT(t *testing.T) {
	got := string(VTT([]Chapter{{0, "Intro & <welcome>"}, {65, "Questions --> answers"}, {3700, "Late"}}, 3725))
	want := `WEBVTT

1
00:00:00.000 --> 00:01:05.000
Intro &amp; &lt;welcome&gt;

2
00:01:05.000 --> 01:01:40.000
Questions --&gt; answers

3
01:01:40.000 --> 01:02:05.000
Late
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := string(VTT([]Chapter{{0, "A"}, {10, "B"}}, 0)); !strings.Contains(got, "00:00:10.000 --> 00:00:11.000") {
		t.Errorf("unknown duration: %s", got)
	}
}
