package p2p

import "testing"

func TestTrackerURL(t *testing.T) {
	for _, tc := range []struct{ public, token, want string }{
		{"http://127.0.0.1:9000", "", "ws://127.0.0.1:9000/tracker/socket?video=u"},
		{"https://videos.example.org", "1.a/b", "wss://videos.example.org/tracker/socket?video=u&videoFileToken=1.a%2Fb"},
	} {
		if got := TrackerURL(tc.public, "u", tc.token); got != tc.want {
			t.Errorf("TrackerURL(%q, %q) = %q, want %q", tc.public, tc.token, got, tc.want)
		}
	}
	in := allow([]string{"a", "b"})
	if !in("a") || in("c") {
		t.Fatal("allow")
	}
}
