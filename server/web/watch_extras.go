package web

// WatchChapter is one entry of the watch page's chapter list.
type WatchChapter struct {
	Seconds int
	// Time is Seconds as a clock, "1:02:03" or "02:03".
	Time  string
	Title string
}

// WatchCaption is one caption language of the watch page; the player
// finds the subtitles themselves in the master playlist.
type WatchCaption struct {
	Language string
	Label    string
	// URL is the WebVTT file, for downloading.
	URL string
}
