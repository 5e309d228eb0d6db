// Package web renders the pages people open in a browser: the watch page,
// which plays a video with the embedded player, and the pages of the web
// interface (site.go), in the languages of the message catalogs
// (i18n.go).
package web

import (
	"embed"
	"net/http"

	"cuttle.video/server/database"
)

// The watch page's template; it is parsed with the other pages (see
// site.go), whose header it includes.
//
//go:embed templates
var templates embed.FS

// WatchPage is what the watch page shows.
type WatchPage struct {
	Title        string
	Video        *database.Video
	Channel      string
	Published    string
	PublishedISO string
	// Playlist is the master playlist URL; empty while the video cannot
	// be played, and Notice says why.
	Playlist string
	Poster   string
	Notice   string
	// AssetVersion busts caches of the player bundle.
	AssetVersion string
	// Tracker is the P2P tracker socket URL for this video; empty when
	// peer-to-peer delivery is off.
	Tracker string
	// PasswordVideo is the id of a password-protected video: the page
	// asks for its password instead of showing it.
	PasswordVideo string
	// Chapters are listed under the player, which reads them from the
	// WebVTT track at ChaptersTrack; Captions are the subtitle languages.
	Chapters      []WatchChapter
	ChaptersTrack string
	Captions      []WatchCaption
	// Site is what the shared header shows; Share fills the share dialog
	// of a published video.
	Site  Site
	Share *Share
}

// RenderWatch writes the watch page with status.
func RenderWatch(w http.ResponseWriter, status int, p WatchPage) error {
	return site.render(w, status, p.Site.Lang, "watch.html", p)
}
