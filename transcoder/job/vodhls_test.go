package job

import (
	"slices"
	"testing"
)

// The names ffmpeg is told to write and the names everyone else expects
// come from one definition.
func TestRenditionFileNames(t *testing.T) {
	if got := SegmentName("720p", 7); got != "720p-00007.m4s" {
		t.Errorf("SegmentName = %q", got)
	}
	if got := SegmentTemplate("%v", SegmentNumber); got != "%v-%05d.m4s" {
		t.Errorf("ffmpeg's segment pattern = %q", got)
	}
	for _, name := range []string{PlaylistName("720p"), InitName("720p"), SegmentName("720p", 0), SegmentName("720p", 99999)} {
		if r, ok := RenditionOf(name); !ok || r != "720p" {
			t.Errorf("RenditionOf(%q) = %q, %v", name, r, ok)
		}
	}
	for _, name := range []string{SegmentsFile, ThumbnailFile, PreviewFile, "720p-0001.m4s",
		"720p-00001.m4sx", "a-b.m3u8", "720p.m4s", SegmentName("720p", 100000)} {
		if r, ok := RenditionOf(name); ok {
			t.Errorf("RenditionOf(%q) = %q, a rendition's file", name, r)
		}
	}
	if !ValidRenditionName("audio") || ValidRenditionName("a-b") || ValidRenditionName("") || ValidRenditionName("a b") {
		t.Error("ValidRenditionName accepts or refuses the wrong names")
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
