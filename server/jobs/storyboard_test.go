package jobs

import (
	"testing"

	"cuttle.video/transcoder/job"
)

func rendition(name string, w, h, segments int) job.RenditionResult {
	return job.RenditionResult{Rendition: job.Rendition{Name: name, Width: w, Height: h}, Segments: segments}
}

func TestStoryboardPlan(t *testing.T) {
	ladder := []job.RenditionResult{
		rendition("720p", 1280, 720, 3), rendition("144p", 256, 144, 3), rendition("240p", 426, 240, 3),
	}
	r, l, ok := storyboardPlan(&job.VODHLSResult{Duration: 10, Renditions: ladder})
	if !ok || r.Name != "144p" || l.SpriteWidth != 192 || l.SpriteHeight != 108 || l.Sprites != 10 {
		t.Fatalf("16:9 ladder: %s, %+v, %v; want the 144p rendition", r.Name, l, ok)
	}
	// A picture smaller than a sprite is drawn from its largest rendition.
	r, _, ok = storyboardPlan(&job.VODHLSResult{Duration: 10, Renditions: []job.RenditionResult{
		rendition("small", 160, 90, 3), rendition("smaller", 128, 72, 3),
	}})
	if !ok || r.Name != "small" {
		t.Fatalf("small ladder: %s, %v", r.Name, ok)
	}
	// Portrait: the sprite is 108 wide and 192 high.
	r, l, ok = storyboardPlan(&job.VODHLSResult{Duration: 10, Renditions: []job.RenditionResult{
		rendition("720p", 720, 1280, 3), rendition("240p", 240, 426, 3), rendition("144p", 144, 256, 3),
	}})
	if !ok || r.Name != "144p" || l.SpriteWidth != 108 || l.SpriteHeight != 192 {
		t.Fatalf("portrait ladder: %s, %+v, %v", r.Name, l, ok)
	}
	audio := job.RenditionResult{Rendition: job.Rendition{Name: "audio", HasAudio: true}, Segments: 3}
	if _, _, ok := storyboardPlan(&job.VODHLSResult{Duration: 60, Renditions: []job.RenditionResult{audio}}); ok {
		t.Error("a sound gets a storyboard")
	}
	if _, _, ok := storyboardPlan(&job.VODHLSResult{Duration: 2, Renditions: ladder}); ok {
		t.Error("a two-second video gets a storyboard")
	}
}

func TestFilesKeptAcrossTranscodings(t *testing.T) {
	for name, want := range map[string]bool{
		CaptionFile("en"): true, CaptionPlaylist("pt-br"): true, StoryboardFile: true,
		"720p.m3u8": false, "720p-00001.m4s": false, "thumbnail.jpg": false, job.MasterPlaylist: false,
	} {
		if got := notFromTranscoding(name); got != want {
			t.Errorf("notFromTranscoding(%q) = %v", name, got)
		}
	}
}
