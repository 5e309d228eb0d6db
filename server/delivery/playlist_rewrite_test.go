package delivery

import (
	"errors"
	"strings"
	"testing"
)

func TestRewritePlaylist(t *testing.T) {
	sign := func(uri string) (string, error) { return uri + "?t=1", nil }
	for _, tc := range []struct{ name, in, want string }{
		{
			"master",
			"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",URI=\"caption-en.m3u8\"\n" +
				"#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f\",SUBTITLES=\"subs\"\n720p.m3u8\n",
			"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",URI=\"caption-en.m3u8?t=1\"\n" +
				"#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f\",SUBTITLES=\"subs\"\n720p.m3u8?t=1\n",
		},
		{
			"media with CRLF and blank lines",
			"#EXTM3U\r\n#EXT-X-MAP:URI=\"720p-init.mp4\"\r\n\r\n#EXTINF:4.000,\r\n720p-00000.m4s\r\n#EXT-X-ENDLIST",
			"#EXTM3U\r\n#EXT-X-MAP:URI=\"720p-init.mp4?t=1\"\r\n\r\n#EXTINF:4.000,\r\n720p-00000.m4s?t=1\r\n#EXT-X-ENDLIST",
		},
	} {
		got, err := rewritePlaylist([]byte(tc.in), sign)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", tc.name, got, err, tc.want)
		}
	}
	boom := errors.New("boom")
	fail := func(string) (string, error) { return "", boom }
	for _, in := range []string{"#EXTM3U\nseg.m4s\n", "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n"} {
		if _, err := rewritePlaylist([]byte(in), fail); !errors.Is(err, boom) {
			t.Errorf("%q: error %v, want the signer's", strings.TrimSpace(in), err)
		}
	}
	// What players would read as a URI line or attribute that the
	// rewrite does not see is refused, not passed on.
	keep := func(uri string) (string, error) { return uri, localURI(uri) }
	for _, in := range []string{
		"#EXTM3U\n#EXTINF:1.000,\rhttps://evil.example/seg0.m4s\n720p-00000.m4s\n",
		"#EXTM3U\n#EXT-X-MAP:URI=https://evil.example/init.mp4\n",
		"#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,uri=https://evil.example/key\n",
	} {
		if _, err := rewritePlaylist([]byte(in), keep); !errors.Is(err, errForeignURI) {
			t.Errorf("%q: error %v, want a refusal", in, err)
		}
	}
}
