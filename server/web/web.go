// Package web renders the pages people open in a browser. For now that is
// the watch page, which plays a video with the embedded player.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"cuttle.video/server/database"
)

//go:embed templates
var templates embed.FS

var pages = template.Must(template.ParseFS(templates, "templates/*.html"))

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
}

// RenderWatch writes the watch page with status.
func RenderWatch(w http.ResponseWriter, status int, p WatchPage) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, "watch.html", p); err != nil {
		return fmt.Errorf("web: render watch page: %w", err)
	}
	return nil
}
