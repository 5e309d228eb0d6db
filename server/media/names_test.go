package media

import (
	"testing"

	"cuttle.video/transcoder/job"
)

func TestFilesKeptAcrossTranscodings(t *testing.T) {
	for name, want := range map[string]bool{
		CaptionFile("en"): true, CaptionPlaylist("pt-br"): true, StoryboardFile: true,
		"720p.m3u8": false, "720p-00001.m4s": false, "thumbnail.jpg": false, job.MasterPlaylist: false,
	} {
		if got := NotFromTranscoding(name); got != want {
			t.Errorf("NotFromTranscoding(%q) = %v", name, got)
		}
	}
}
