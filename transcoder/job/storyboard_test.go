package job

import (
	"encoding/json"
	"testing"

	"cuttle.video/storage"
)

func TestStoryboardRoundTrip(t *testing.T) {
	l := SpriteLayout{SpriteWidth: 192, SpriteHeight: 108, SpriteDuration: 2, Sprites: 51, Columns: 9, Rows: 6}
	in := StoryboardPayload{InputURLs: []string{"https://media.example/init?sig=1", "https://media.example/0?sig=2"},
		Duration: 101.5, Layout: l, File: "storyboard.jpg", Upload: storage.Grant{Prefix: "staging/v/j/", MaxBytes: 1 << 20,
			Put: &storage.PutGrant{URL: "https://media.example/staging/v/j/", Query: "grant=3"}}}
	j, err := New("job-sb", Storyboard, "video-uuid", in)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := json.Marshal(j)
	var back Job
	if err := json.Unmarshal(wire, &back); err != nil {
		t.Fatal(err)
	}
	var out StoryboardPayload
	if err := back.Decode(Storyboard, &out); err != nil {
		t.Fatal(err)
	}
	if out.Layout != l || len(out.InputURLs) != 2 || out.Upload.Put == nil || *out.Upload.Put != *in.Upload.Put || out.File != in.File {
		t.Fatalf("payload changed on the wire: %+v", out)
	}
	if err := back.Decode(VODHLS, &VODHLSPayload{}); err == nil {
		t.Fatal("a storyboard job decoded as a VOD HLS job")
	}
	if l.TotalWidth() != 1728 || l.TotalHeight() != 648 {
		t.Fatalf("sheet %dx%d", l.TotalWidth(), l.TotalHeight())
	}
}
