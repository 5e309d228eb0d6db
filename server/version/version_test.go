package version

import "testing"

func TestNumber(t *testing.T) {
	if got := Number(); got != unreleased {
		t.Errorf("unstamped test binary: %q, want %q", got, unreleased)
	}
	number = "1.2.0"
	t.Cleanup(func() { number = "" })
	if got := Number(); got != "1.2.0" {
		t.Errorf("stamped: %q", got)
	}
}
