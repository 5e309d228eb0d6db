// Package web is the site people open in a browser: the watch page,
// which plays a video with the embedded player, and the pages of the web
// interface. Each page's handler sits beside its view model; the
// templates (pages/, templates/) and the message catalogs (i18n/) are
// embedded, and rendered by site.go in the visitor's language (i18n.go).
// The pages' scripts call the JSON API (package api) with the session
// cookie.
package web
