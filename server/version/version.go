// Package version says which Cuttle a binary is: the one place its
// version is read from, for the API and the command line.
package version

import (
	"runtime/debug"
	"sync"
)

// number is stamped by release builds:
//
//	go build -ldflags "-X cuttle.video/server/version.number=1.2.0" ./server/cmd/cuttle
//
// Other builds report the module version Go recorded, if any.
var number string

// unreleased is what a build from a work tree reports: a semantic
// version, so that clients comparing versions can still parse it, below
// every release.
const unreleased = "0.0.0-dev"

var buildInfo = sync.OnceValue(func() *debug.BuildInfo {
	info, _ := debug.ReadBuildInfo()
	return info
})

// Number is the version of the running binary, as PeerTube's
// serverVersion: stamped at build time, else the module version, else
// "0.0.0-dev".
func Number() string {
	if number != "" {
		return number
	}
	if info := buildInfo(); info != nil && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return unreleased
}

// Commit is the revision the binary was built from, as Go recorded it
// from version control; empty when it did not.
func Commit() string {
	if info := buildInfo(); info != nil {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}
