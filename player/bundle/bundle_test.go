package bundle

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// requireBuilt skips when the bundle is missing, except where the whole
// suite is meant to run (CI), where a missing bundle is a setup mistake.
func requireBuilt(t *testing.T) {
	t.Helper()
	if Built() {
		return
	}
	if os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatal("the player bundle is missing: run scripts/build-player.sh before the tests")
	}
	t.Skip("the player bundle is missing: run scripts/build-player.sh to test it")
}

func TestAssets(t *testing.T) {
	requireBuilt(t)
	for _, name := range []string{Script, Stylesheet} {
		b, err := fs.ReadFile(Assets(), name)
		if err != nil {
			t.Fatalf("Assets: %v", err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	js, _ := fs.ReadFile(Assets(), Script)
	// The page calls the player through this global; a bundle without it
	// is a broken build even if it has the right name.
	if !strings.Contains(string(js), "CuttlePlayer") {
		t.Errorf("%s does not define CuttlePlayer", Script)
	}
}

func TestVersion(t *testing.T) {
	requireBuilt(t)
	v := Version()
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(v) {
		t.Fatalf("Version() = %q, want 12 lowercase hex digits", v)
	}
	if again := Version(); again != v {
		t.Errorf("Version() changed from %q to %q", v, again)
	}
}

// Whatever the state of the build, the package must not claim a bundle it
// cannot serve.
func TestBuiltMatchesAssets(t *testing.T) {
	_, errJS := fs.Stat(Assets(), Script)
	_, errCSS := fs.Stat(Assets(), Stylesheet)
	if want := errJS == nil && errCSS == nil; Built() != want {
		t.Errorf("Built() = %v, but watch.js error %v, watch.css error %v", Built(), errJS, errCSS)
	}
	if !Built() && Version() != "" {
		t.Errorf("Version() = %q without a bundle, want empty", Version())
	}
}
