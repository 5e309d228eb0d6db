package languages

import "testing"

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"en": "en", "pt-BR": "pt-br", " zh_Hans ": "zh-hans", "kab": "kab"} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "e", "english", "en-", "../en", "en/fr", "en-x", "fr-abcdefghi", "en-us-variant-toolongtag"} {
		if _, ok := Normalize(bad); ok {
			t.Errorf("Normalize(%q) accepted", bad)
		}
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{"en": "English", "pt-br": "Portuguese (Brazil)", "fr-ca": "French (fr-ca)", "xyz": "xyz"} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}
