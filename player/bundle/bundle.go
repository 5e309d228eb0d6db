// Package bundle embeds what browsers run, as scripts/build-player.sh
// bundles it into dist/ from player/web/src: the player of the watch page
// (hls.js, p2p-media-loader and the page script in watch.js, its styles in
// watch.css), and the scripts and styles of the web interface's other
// pages (site.js, upload.js and site.css, from web/src/site).
//
// The bundle is build output and not committed. A fresh clone still
// compiles because dist/ holds a committed README.md, but until the script
// has run there is nothing to serve: check Built before serving the watch
// page and answer ErrNotBuilt otherwise.
//
// The page markup the script expects is described at the top of
// player/web/src/watch.js.
package bundle

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"sync"
)

// Names of the built files inside Assets.
const (
	Script     = "watch.js"
	Stylesheet = "watch.css"
	// SiteScript, UploadScript and SiteStylesheet serve the other pages
	// of the web interface.
	SiteScript     = "site.js"
	UploadScript   = "upload.js"
	SiteStylesheet = "site.css"
)

// built lists every file a complete bundle has.
var built = []string{Script, Stylesheet, SiteScript, UploadScript, SiteStylesheet}

// ErrNotBuilt is what to tell a client asking for the watch page of a binary
// built without the player bundle.
var ErrNotBuilt = errors.New("the player is not built: run make build")

// "all:" keeps the embed valid when dist/ holds nothing but its README.
//
//go:embed all:dist
var dist embed.FS

var assets = func() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only on an invalid path name; "dist" is valid.
		panic(err)
	}
	return sub
}()

// Assets returns the built files (the names above) at its root. They
// are missing when Built reports false.
func Assets() fs.FS {
	return assets
}

// Built reports whether the bundle was built before this binary was compiled.
func Built() bool {
	for _, name := range built {
		if _, err := fs.Stat(assets, name); err != nil {
			return false
		}
	}
	return true
}

// Version returns the first 12 hex digits of the SHA-256 of the script and
// the stylesheet, for URLs that can be cached forever and still change when
// the player does. It is empty when Built reports false.
func Version() string {
	return version()
}

var version = sync.OnceValue(func() string {
	if !Built() {
		return ""
	}
	h := sha256.New()
	for _, name := range built {
		b, err := fs.ReadFile(assets, name)
		if err != nil {
			// Built just found the file in the read-only embedded tree.
			panic(err)
		}
		// Hashing each file's digest keeps a byte moving from one file to
		// the other from leaving the version unchanged.
		sum := sha256.Sum256(b)
		h.Write(sum[:])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
})
