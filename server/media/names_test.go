package media

import (
	"testing"

	"cuttle.video/transcoder/job"
)

func TestFilesKeptAcrossTranscodings(t *testing.T) {
	id := job.NewFileID()
	for name, want := range map[string]bool{
		CaptionFile("en"): true, CaptionPlaylist("pt-br"): true, StoryboardFile: true,
		job.PlaylistName(id, 720): false, job.FragmentedName(id, 720): false, "thumbnail.jpg": false, job.MasterName(id): false,
	} {
		if got := NotFromTranscoding(name); got != want {
			t.Errorf("NotFromTranscoding(%q) = %v", name, got)
		}
	}
}
