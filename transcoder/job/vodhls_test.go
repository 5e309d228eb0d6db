package job

import (
	"slices"
	"strings"
	"testing"
)

// The names of a rendition's files carry its id and resolution, and
// nothing else parses as one.
func TestRenditionFileNames(t *testing.T) {
	id := NewFileID()
	if got := FragmentedName(id, 720); got != id+"-720-fragmented.mp4" {
		t.Errorf("FragmentedName = %q", got)
	}
	if got := PlaylistName(id, 0); got != id+"-0.m3u8" {
		t.Errorf("PlaylistName = %q", got)
	}
	if gotID, res, ok := FragmentedFile(FragmentedName(id, 1080)); !ok || gotID != id || res != 1080 {
		t.Errorf("FragmentedFile(FragmentedName(id, 1080)) = %q, %d, %v", gotID, res, ok)
	}
	for _, name := range []string{PlaylistName(id, 720), MasterName(id), SegmentsName(id), ThumbnailFile,
		"720p-00000.m4s", id + "-07-fragmented.mp4", id + "-720-fragmented.mp4x", "../" + FragmentedName(id, 720),
		strings.ToUpper(id) + "-720-fragmented.mp4", FragmentedName("not-a-uuid", 720)} {
		if _, _, ok := FragmentedFile(name); ok {
			t.Errorf("FragmentedFile(%q) accepted it", name)
		}
	}
	if !ValidMasterName(MasterName(id)) || ValidMasterName(LegacyMasterPlaylist) || ValidMasterName(SegmentsName(id)) {
		t.Error("ValidMasterName accepts or refuses the wrong names")
	}
	if !ValidSegmentsName(SegmentsName(id)) || ValidSegmentsName(LegacySegmentsFile) || ValidSegmentsName("x/"+SegmentsName(id)) {
		t.Error("ValidSegmentsName accepts or refuses the wrong names")
	}
	if !ValidRenditionName("audio") || ValidRenditionName("a-b") || ValidRenditionName("") || ValidRenditionName("a b") {
		t.Error("ValidRenditionName accepts or refuses the wrong names")
	}
	// PeerTube's ranges end on their last byte.
	if got := ByteRange(1336, 453618); got != "1336-454953" {
		t.Errorf("ByteRange = %q", got)
	}
}

// A portrait video's 720p rendition is 720 wide; sound alone is 0.
func TestResolution(t *testing.T) {
	for _, c := range []struct {
		r    Rendition
		want int
	}{{Rendition{Width: 1280, Height: 720}, 720}, {Rendition{Width: 720, Height: 1280}, 720}, {Rendition{HasAudio: true}, 0}} {
		if got := c.r.Resolution(); got != c.want {
			t.Errorf("%+v.Resolution() = %d, want %d", c.r, got, c.want)
		}
	}
}

func TestVODHLSOutputTypes(t *testing.T) {
	got := VODHLSOutputTypes()
	for _, want := range []string{"application/vnd.apple.mpegurl", "video/mp4", "application/json", "image/jpeg"} {
		if !slices.Contains(got, want) {
			t.Errorf("VODHLSOutputTypes() = %v, lacks %s", got, want)
		}
	}
}
