package vocab

import (
	"errors"
	"strings"
	"testing"
)

func TestSameOrigin(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"https://a.example/x", "https://a.example/y", true},
		{"https://A.Example/x", "https://a.example", true},
		{"https://a.example:443/x", "https://a.example/y", true},
		{"http://a.example:80/", "http://a.example/", true},
		{"https://a.example:8443/", "https://a.example/", false},
		{"http://a.example/", "https://a.example/", false},
		{"https://a.example/", "https://b.example/", false},
		{"https://a.example.b.example/", "https://a.example/", false},
		// Userinfo makes a URL name one host and reach another.
		{"https://a.example@b.example/", "https://a.example/", false},
		{"https://a.example@b.example/", "https://b.example/", false},
		{"https://a.example:443@b.example/", "https://a.example/", false},
		{"javascript://a.example/", "javascript://a.example/", false},
		{"//a.example/", "//a.example/", false},
		{"", "", false},
		{"https:///x", "https:///x", false},
		{"https://[::1]:443/", "https://[::1]/", true},
		{"https://a.example\\@b.example/", "https://b.example/", false},
	} {
		if got := SameOrigin(c.a, c.b); got != c.want {
			t.Errorf("SameOrigin(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestIsContentType(t *testing.T) {
	for v, want := range map[string]bool{
		"application/activity+json":                              true,
		"application/activity+json; charset=utf-8":               true,
		"application/ld+json":                                    true,
		ContentTypeLD:                                            true,
		`application/ld+json; profile="https://evil.example/ns"`: false,
		"application/json":                                       false,
		"text/html":                                              false,
		"":                                                       false,
		"application/activity+json; ;;=":                         false,
	} {
		if got := IsContentType(v); got != want {
			t.Errorf("IsContentType(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"PT42S", 42, true},
		{"PT0S", 0, true},
		{"PT1H2M3S", 3723, true},
		{"PT2M", 120, true},
		{"PT1.75S", 1, true},
		{"PT312S", 312, true},
		{"", 0, false},
		{"PT", 0, false},
		{"42", 0, false},
		{"P1D", 0, false},
		{"PT-5S", 0, false},
		{"PT5S5S", 0, false},
		{"PT5M1H", 0, false},
		{"PTS", 0, false},
		{"PT1.xS", 0, false},
		{"pt42s", 0, false},
		{"PT99999999999S", 0, false},
		{"PT87600000H", 0, false},
		{"PT42SX", 0, false},
	} {
		got, err := ParseDuration(c.in)
		if c.ok != (err == nil) || got != c.want {
			t.Errorf("ParseDuration(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseDuration(%q): %v is not ErrInvalid", c.in, err)
		}
	}
	if got := FormatDuration(42); got != "PT42S" {
		t.Errorf("FormatDuration(42) = %q", got)
	}
	if got := FormatDuration(-1); got != "PT0S" {
		t.Errorf("FormatDuration(-1) = %q", got)
	}
}

func TestAudience(t *testing.T) {
	const followers = "https://our.example/accounts/alice/followers"
	for _, c := range []struct {
		p      Privacy
		to, cc string
	}{
		{PrivacyPublic, Public, followers},
		{PrivacyUnlisted, "", Public},
		{PrivacyPrivate, "", ""},
	} {
		to, cc := Audience(c.p, followers)
		if to == nil || cc == nil || strings.Join(to, ",") != c.to || strings.Join(cc, ",") != c.cc {
			t.Errorf("Audience(%v) = %q, %q; want %q, %q", c.p, to, cc, c.to, c.cc)
		}
		if got := PrivacyOf(to, cc); got != c.p {
			t.Errorf("PrivacyOf(Audience(%v)) = %v", c.p, got)
		}
	}
	if got := PrivacyOf([]string{followers}, nil); got != PrivacyPrivate {
		t.Errorf("followers only: %v", got)
	}
}
