package job

import (
	"strings"
	"testing"
)

func TestRedactError(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{
			`download original: Get "http://127.0.0.1:19399/storage/originals/de1417d4/original.mp4?expires=1796377149&sig=e9710e53": dial tcp 127.0.0.1:19399: connect: connection refused`,
			`download original: Get "[URL]": dial tcp [address]: connect: connection refused`,
		},
		{
			`upload 720p.m3u8: Put "https://bucket.s3.example.com/videos/x/720p.m3u8?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc": EOF`,
			`upload 720p.m3u8: Put "[URL]": EOF`,
		},
		{
			`upload 720p-00001.m4s: media.example:9000/videos/x/720p-00001.m4s X-Amz-Signature=abc sig=1`,
			`upload 720p-00001.m4s: [URL] [redacted] [redacted]`,
		},
		{`open /var/lib/cuttle/scratch/job-1/original: no space left on device`, `open [path]: no space left on device`},
		{`open C:\cuttle\scratch\job-1\original: denied`, `open [path]: denied`},
		{`dial tcp [::1]:9000: connect: connection refused`, `dial tcp [address]: connect: connection refused`},
		{`read "/a/b?x=1" failed`, `read "[path]" failed`},
		// Ordinary failures keep every word.
		{
			`pipeline: rendition 720p: segment 3 is "720p-00004.m4s", expected "720p-00003.m4s"`,
			`pipeline: rendition 720p: segment 3 is "720p-00004.m4s", expected "720p-00003.m4s"`,
		},
		{`ffmpeg: exit status 1: [h264 @ 0x55d] error while decoding MB 1/2`, `ffmpeg: exit status 1: [h264 @ 0x55d] error while decoding MB 1/2`},
	} {
		if got := RedactError(tc.in); got != tc.want {
			t.Errorf("RedactError(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactErrorLeavesNoCredential(t *testing.T) {
	for _, in := range []string{
		`Get http://h/o?expires=1&sig=abc: EOF`,
		`Get "//h/o?sig=abc"`,
		`bad key sig=abc;X-Amz-Credential=AKIA/2026`,
		`file:///etc/passwd`,
		`bad input https%3A%2F%2Fbucket.example%2Fo%3FX-Amz-Signature%3Dabc here`,
		`twice https%253A%252F%252Fh%252Fo%253Fsig%253Dabc`,
	} {
		got := strings.ToLower(RedactError(in))
		for _, bad := range []string{"sig=", "x-amz-", "abc", "akia", "?", "://", "/etc"} {
			if strings.Contains(got, bad) {
				t.Errorf("RedactError(%q) = %q still holds %q", in, got, bad)
			}
		}
	}
}
