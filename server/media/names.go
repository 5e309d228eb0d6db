package media

import "strings"

// Names of the files the server itself writes in a video's media
// directory, beside the HLS renditions a transcoding writes (named by the
// job contract, transcoder/job, as is the master playlist the server
// writes over them). Rendition names hold no "-", so no rendition's files
// can take these names.

// CaptionFile is the WebVTT file of a caption language.
func CaptionFile(language string) string { return "caption-" + language + ".vtt" }

// CaptionPlaylist is the subtitle media playlist that wraps CaptionFile.
func CaptionPlaylist(language string) string { return "caption-" + language + ".m3u8" }

// StoryboardFile is the video's sprite sheet.
const StoryboardFile = "storyboard.jpg"

// NotFromTranscoding tells the files of a video's media directory that a
// transcoding did not write, which a new transcoding must leave alone.
func NotFromTranscoding(name string) bool {
	return strings.HasPrefix(name, "caption-") || name == StoryboardFile
}
