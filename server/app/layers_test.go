package app_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The HTTP faces of the server are siblings: each may use the plumbing
// and the rules below it, never another face, so that each can change,
// and new ones (federation, live) can join, without touching the others.
func TestFacesDoNotImportEachOther(t *testing.T) {
	faces := []string{"api", "web", "delivery", "activitypub"}
	for _, face := range faces {
		dir := filepath.Join("..", face)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, other := range faces {
					if other != face && path == "cuttle.video/server/"+other {
						t.Errorf("%s/%s imports its sibling %s", face, e.Name(), other)
					}
				}
			}
		}
	}
}
