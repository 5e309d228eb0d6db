package s3

import (
	"net/url"
	"testing"
)

// The rule must name the origin exactly as browsers send it, or the
// bucket's CORS never matches the pages' requests.
func TestBrowserOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://Videos.Example:443":  "https://videos.example",
		"http://videos.example:80":    "http://videos.example",
		"http://127.0.0.1:9000":       "http://127.0.0.1:9000",
		"https://videos.example:8443": "https://videos.example:8443",
		"http://[::1]:80":             "http://[::1]",
		"http://[::1]:9000":           "http://[::1]:9000",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := browserOrigin(u); got != want {
			t.Errorf("browserOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}
