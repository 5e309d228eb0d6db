package captions

import (
	"errors"
	"strings"
	"testing"
)

func TestSRTToWebVTT(t *testing.T) {
	srt := "\xef\xbb\xbf1\r\n00:00:01,000 --> 00:00:04,500\r\nHello <i>world</i>\r\n<font color=\"red\">in red</font> & a < b\r\n\r\n" +
		"2\r\n00:00:05,5 --> 00:00:07,250 X1:10 X2:20\r\n{\\an8}On top\r\n\r\n\r\n" +
		"3\n01:02:03.004 --> 01:02:05.000\nno arrows --> here\n"
	got, err := ToWebVTT([]byte(srt))
	if err != nil {
		t.Fatal(err)
	}
	want := `WEBVTT

1
00:00:01.000 --> 00:00:04.500
Hello <i>world</i>
in red & a &lt; b

2
00:00:05.500 --> 00:00:07.250
On top

3
01:02:03.004 --> 01:02:05.000
no arrows --&gt; here
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if err := checkVTT(splitLines(string(got))); err != nil {
		t.Errorf("the converted file is not valid WebVTT: %v", err)
	}
}

func TestWebVTTIsKept(t *testing.T) {
	vtt := "WEBVTT - with a title\r\nKind: captions\r\n\r\nNOTE a comment\r\nspanning lines\r\n\r\nSTYLE\r\n::cue { color: yellow }\r\n\r\n" +
		"intro\r\n00:01.000 --> 00:04.000 align:start\r\n<v Roger>Hello\r\n\r\n" +
		"1:00:00.000 --> 1:00:02.500\r\nLate\r\n00:00:05.000 --> 00:00:06.000\r\nright after, no blank line\r\n"
	got, err := ToWebVTT([]byte(vtt))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(vtt, "\r\n", "\n"); string(got) != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestMalformedCaptions(t *testing.T) {
	cases := []struct {
		name, file, format string
		line               int
		says               string
	}{
		{"empty", "", "SRT", 0, "no subtitles"},
		{"plain text", "Hello there\nGeneral Kenobi\n", "SRT", 1, "neither WebVTT"},
		{"SRT without timing", "1\nHello\n", "SRT", 2, "not a subtitle timing"},
		{"SRT number alone", "1\n\n", "SRT", 1, "followed by its timing"},
		{"SRT bad time", "1\n00:00:01,000 --> 00:00:04,000\nok\n\n2\n00:00:65,000 --> 00:01:00,000\nbad\n", "SRT", 6, "past 59"},
		{"SRT backwards", "1\n00:00:05,000 --> 00:00:04,000\nbad\n", "SRT", 2, "ends before it starts"},
		{"SRT second block broken", "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 -> 00:00:04,000\nbad\n", "SRT", 6, "not a subtitle timing"},
		{"not UTF-8", "1\n00:00:01,000 --> 00:00:02,000\n\xff\xfe\n", "SRT", 0, "UTF-8"},
		{"VTT signature glued", "WEBVTTX\n\n00:01.000 --> 00:02.000\nhi\n", "WebVTT", 1, "must start with WEBVTT"},
		{"VTT no cues", "WEBVTT\n\nNOTE nothing here\n", "WebVTT", 0, "no cues"},
		{"VTT comma milliseconds", "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nhi\n", "WebVTT", 3, "not a cue timing"},
		{"VTT identifier without timing", "WEBVTT\n\nintro\nHello\n", "WebVTT", 4, `"Hello" is not a cue timing`},
		{"VTT cue in header", "WEBVTT\n00:01.000 --> 00:02.000\nhi\n", "WebVTT", 2, "blank line"},
		{"VTT backwards", "WEBVTT\n\n00:03.000 --> 00:02.000\nhi\n", "WebVTT", 3, "ends before it starts"},
		{"VTT bad minutes", "WEBVTT\n\n00:61:00.000 --> 01:02:00.000\nhi\n", "WebVTT", 3, "past 59"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := ToWebVTT([]byte(c.file))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("accepted (%v), gave\n%s", err, out)
			}
			if fe.Format != c.format || fe.Line != c.line || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("error %q (format %s, line %d); want format %s, line %d, saying %q", err, fe.Format, fe.Line, c.format, c.line, c.says)
			}
		})
	}
}
