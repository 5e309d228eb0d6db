package vocab

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	refID       = "https://example.org/videos/watch/942d51e6-9320-4f40-980b-76bba0652bc2"
	refHLS      = "https://example.org/static/streaming-playlists/hls/942d51e6-9320-4f40-980b-76bba0652bc2/"
	refTorrents = "https://example.org/lazy-static/torrents/"
)

// referenceVideo is a PeerTube Video object as PeerTube serves it.
func referenceVideo(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile("testdata/peertube-video.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func parseVideoMap(t *testing.T, m map[string]any) (Video, error) {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return ParseVideo(data)
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseVideoReference(t *testing.T) {
	v, err := parseVideoMap(t, referenceVideo(t))
	if err != nil {
		t.Fatal(err)
	}
	magnet480 := "magnet:?xs=https%3A%2F%2Fexample.org%2Flazy-static%2Ftorrents%2Ffac3fb9c-55a6-4e56-82f5-8de8a3f62d8f-480-hls.torrent&xt=urn:btih:b5a55918c3a05c2459156b6f34570ea64c69fd5a&dn=Na+proch%C3%A1zce+%E2%99%A5%EF%B8%8F+Walking+with+our+gang+%F0%9F%98%83&tr=https%3A%2F%2Fexample.org%2Ftracker%2Fannounce&tr=wss%3A%2F%2Fexample.org%3A443%2Ftracker%2Fsocket&ws=https%3A%2F%2Fexample.org%2Fstatic%2Fstreaming-playlists%2Fhls%2F942d51e6-9320-4f40-980b-76bba0652bc2%2Fc6b6c9fb-83da-425c-9ce6-680e00eb9ecb-480-fragmented.mp4"
	magnetAudio := "magnet:?xs=https%3A%2F%2Fexample.org%2Flazy-static%2Ftorrents%2Fbabc50e0-4643-4467-bde0-5d837d71fed5-0-hls.torrent&xt=urn:btih:395086b81fae8b1b9f7d0a03375c66214acff459&dn=Na+proch%C3%A1zce+%E2%99%A5%EF%B8%8F+Walking+with+our+gang+%F0%9F%98%83&tr=https%3A%2F%2Fexample.org%2Ftracker%2Fannounce&tr=wss%3A%2F%2Fexample.org%3A443%2Ftracker%2Fsocket&ws=https%3A%2F%2Fexample.org%2Fstatic%2Fstreaming-playlists%2Fhls%2F942d51e6-9320-4f40-980b-76bba0652bc2%2F113ebf59-8e27-42f5-b971-d315f3fec77d-0-fragmented.mp4"
	want := Video{
		ID: refID, UUID: "942d51e6-9320-4f40-980b-76bba0652bc2",
		Name:        "Na procházce ♥️ Walking with our gang 😃",
		Description: "A walk with our **gang**.\r\n\r\nFilmed near Brno.", DescriptionType: "text/markdown",
		Duration:  312,
		Published: mustTime(t, "2025-03-08T10:12:44.512Z"), Updated: mustTime(t, "2025-03-08T10:31:02.087Z"),
		Tags:     []string{"dogs"},
		Category: Identified{"6", "Travels"}, Licence: Identified{"1", "Attribution"}, Language: Identified{"cs", "Czech"},
		CommentsPolicy: CommentsEnabled, DownloadEnabled: true, WaitTranscoding: true, State: 1, Views: 42,
		LikesURL: refID + "/likes", DislikesURL: refID + "/dislikes", SharesURL: refID + "/announces", CommentsURL: refID + "/comments",
		AttributedTo: []string{"https://example.org/accounts/someone", "https://example.org/video-channels/someone_channel"},
		Account:      "https://example.org/accounts/someone", Channel: "https://example.org/video-channels/someone_channel",
		WatchURL: "https://example.org/w/jifTXYpdLJSU269svW8Jdb",
		Icon:     Image{URL: "https://example.org/lazy-static/previews/7c2d1b0a-9e8f-4a7b-b6c5-d4e3f2a1b0c9.jpg", MediaType: "image/jpeg", Width: 850, Height: 480},
		HLS: &Playlist{
			MasterURL:         refHLS + "3d412b0f-3f2e-4509-9d0f-0142223b1752-master.m3u8",
			SegmentsSHA256URL: refHLS + "0c607a4c-ab78-4bed-aeef-9970abd88e77-segments-sha256.json",
			InfoHashes: []string{"4b5a702f76333963655575616e627a5261426269", "4f6c5552324a39324a55447036735649586b4875",
				"476d4154793667574d6d594c7276523471364732"},
			Files: []File{
				{URL: refHLS + "c6b6c9fb-83da-425c-9ce6-680e00eb9ecb-480-fragmented.mp4", MediaType: "video/mp4",
					Height: 480, Width: 854, Size: 11260985, FPS: 30, CodecType: "video",
					TorrentURL: refTorrents + "fac3fb9c-55a6-4e56-82f5-8de8a3f62d8f-480-hls.torrent",
					MagnetURI:  magnet480, InfoHash: "b5a55918c3a05c2459156b6f34570ea64c69fd5a"},
				{URL: refHLS + "113ebf59-8e27-42f5-b971-d315f3fec77d-0-fragmented.mp4", MediaType: "video/mp4",
					Size: 1472647, CodecType: "audio",
					TorrentURL: refTorrents + "babc50e0-4643-4467-bde0-5d837d71fed5-0-hls.torrent",
					MagnetURI:  magnetAudio, InfoHash: "395086b81fae8b1b9f7d0a03375c66214acff459"},
			},
		},
		Trackers: []string{"https://example.org/tracker/announce", "wss://example.org:443/tracker/socket"},
		Captions: []Caption{{Language: Identified{"en", "English"},
			URL:         "https://example.org/lazy-static/video-captions/5a0e7f2c-7d9e-4c44-9c43-1f7b0a9a2f11-en.vtt",
			PlaylistURL: refHLS + "5a0e7f2c-7d9e-4c44-9c43-1f7b0a9a2f11-en.m3u8"}},
		To: []string{Public}, CC: []string{"https://example.org/accounts/someone/followers"}, Privacy: PrivacyPublic,
	}
	compareVideos(t, v, want)
}

// compareVideos names the fields that differ, rather than dumping both.
func compareVideos(t *testing.T, got, want Video) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			t.Errorf("%s:\n got %#v\nwant %#v", g.Type().Field(i).Name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
}

func TestParseVideoShapes(t *testing.T) {
	m := referenceVideo(t)
	// Older PeerTube: typed attributedTo (Group first here, to check the
	// types are read), commentsEnabled, a caption url as a string.
	m["attributedTo"] = []any{
		map[string]any{"type": "Group", "id": "https://example.org/video-channels/c"},
		map[string]any{"type": "Person", "id": "https://example.org/accounts/a"},
	}
	delete(m, "commentsPolicy")
	m["commentsEnabled"] = true
	m["subtitleLanguage"] = []any{map[string]any{"identifier": "fr", "name": "French", "url": "https://example.org/fr.vtt"}}
	m["content"], m["mediaType"] = "<p>hi</p>", "text/html"
	m["cc"] = []any{"as:Public"}
	m["to"] = []any{}
	v, err := parseVideoMap(t, m)
	if err != nil {
		t.Fatal(err)
	}
	if v.Account != "https://example.org/accounts/a" || v.Channel != "https://example.org/video-channels/c" ||
		v.CommentsPolicy != CommentsEnabled || len(v.Captions) != 1 || v.Captions[0].URL != "https://example.org/fr.vtt" ||
		v.DescriptionType != "text/html" || v.Privacy != PrivacyUnlisted {
		t.Errorf("older shapes: %+v", v)
	}
}

func TestParseVideoDefaults(t *testing.T) {
	m := referenceVideo(t)
	for _, k := range []string{"state", "waitTranscoding", "downloadEnabled", "sensitive", "commentsPolicy", "content", "to", "cc"} {
		delete(m, k)
	}
	m["waitTranscoding"] = "yes" // of the wrong type: the default
	v, err := parseVideoMap(t, m)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != 1 || v.WaitTranscoding || !v.DownloadEnabled || v.Sensitive || v.CommentsPolicy != CommentsDisabled ||
		v.Description != "" || v.Privacy != PrivacyPrivate {
		t.Errorf("defaults: %+v", v)
	}
}

func TestParseVideoDropsBadEntries(t *testing.T) {
	m := referenceVideo(t)
	urls := m["url"].([]any)
	m["url"] = append([]any{
		map[string]any{"type": "Link", "mediaType": "text/html", "href": "https://elsewhere.example/w/x"},
		map[string]any{"type": "Link", "mediaType": "video/mp4", "href": "javascript:alert(1)", "height": 720, "size": 1, "fps": 30},
		map[string]any{"type": "Link", "rel": []any{"tracker", "http"}, "href": "file:///etc/passwd"},
		"https://example.org/not-a-link",
		42,
	}, urls...)
	m["icon"] = append([]any{
		map[string]any{"type": "Image", "url": "https://example.org/huge.svg", "mediaType": "image/svg+xml", "width": 9000, "height": 9000},
		map[string]any{"type": "Image", "url": "data:image/png;base64,AAAA", "mediaType": "image/png", "width": 9000, "height": 9000},
	}, m["icon"].([]any)...)
	m["tag"] = []any{map[string]any{"type": "Hashtag", "name": "x"}, map[string]any{"type": "Hashtag", "name": strings.Repeat("y", 31)},
		map[string]any{"type": "SensitiveTag", "name": "violence"}, map[string]any{"type": "Hashtag", "name": "#cats"}}
	v, err := parseVideoMap(t, m)
	if err != nil {
		t.Fatal(err)
	}
	if v.WatchURL != "https://example.org/w/jifTXYpdLJSU269svW8Jdb" || len(v.WebVideo) != 0 || len(v.Trackers) != 2 ||
		v.Icon.Width != 850 || !slices.Equal(v.Tags, []string{"cats"}) {
		t.Errorf("bad entries kept: watch %q, web videos %v, trackers %v, icon %+v, tags %v", v.WatchURL, v.WebVideo, v.Trackers, v.Icon, v.Tags)
	}
}

func TestParseVideoRefuses(t *testing.T) {
	many := make([]any, 201)
	for i := range many {
		many[i] = map[string]any{"type": "Link", "mediaType": "text/html", "href": "https://example.org/w/x"}
	}
	for _, c := range []struct {
		name   string
		change func(m map[string]any)
		says   string
	}{
		{"no type", func(m map[string]any) { delete(m, "type") }, "type"},
		{"a Note", func(m map[string]any) { m["type"] = "Note" }, "type"},
		{"no id", func(m map[string]any) { delete(m, "id") }, "id"},
		{"id not http(s)", func(m map[string]any) { m["id"] = "ipfs://example.org/v" }, "scheme"},
		{"id with fragment", func(m map[string]any) { m["id"] = refID + "#x" }, "fragment"},
		{"id with userinfo", func(m map[string]any) { m["id"] = "https://example.org@evil.example/v" }, "userinfo"},
		{"no name", func(m map[string]any) { delete(m, "name") }, "name"},
		{"name too short", func(m map[string]any) { m["name"] = "ab" }, "name"},
		{"name too long", func(m map[string]any) { m["name"] = strings.Repeat("é", 121) }, "name"},
		{"no uuid", func(m map[string]any) { delete(m, "uuid") }, "uuid"},
		{"bad uuid", func(m map[string]any) { m["uuid"] = "942d51e6-9320-4f40-980b-76bba0652bcZ" }, "uuid"},
		{"uuid without dashes", func(m map[string]any) { m["uuid"] = "942d51e693204f40980b76bba0652bc2" }, "uuid"},
		{"uuid in braces", func(m map[string]any) { m["uuid"] = "{942d51e6-9320-4f40-980b-76bba0652bc2}" }, "uuid"},
		{"no duration", func(m map[string]any) { delete(m, "duration") }, "duration"},
		{"duration in seconds", func(m map[string]any) { m["duration"] = "312" }, "duration"},
		{"duration number", func(m map[string]any) { m["duration"] = 312 }, "decode"},
		{"no views", func(m map[string]any) { delete(m, "views") }, "views"},
		{"views negative", func(m map[string]any) { m["views"] = -1 }, "views"},
		{"views as text", func(m map[string]any) { m["views"] = "42" }, "views"},
		{"no published", func(m map[string]any) { delete(m, "published") }, "published"},
		{"bad updated", func(m map[string]any) { m["updated"] = "2025-13-45" }, "updated"},
		{"bad originallyPublishedAt", func(m map[string]any) { m["originallyPublishedAt"] = "soon" }, "originallyPublishedAt"},
		{"content of another type", func(m map[string]any) { m["mediaType"] = "text/plain" }, "media type"},
		{"category not a number", func(m map[string]any) { m["category"] = map[string]any{"identifier": "travel", "name": "x"} }, "category"},
		{"licence with spaces", func(m map[string]any) { m["licence"] = map[string]any{"identifier": "CC BY", "name": "x"} }, "licence"},
		{"empty language", func(m map[string]any) { m["language"] = map[string]any{"identifier": "", "name": "x"} }, "language"},
		{"no attributedTo", func(m map[string]any) { delete(m, "attributedTo") }, "attributedTo"},
		{"empty attributedTo", func(m map[string]any) { m["attributedTo"] = []any{} }, "attributedTo"},
		{"attributed elsewhere", func(m map[string]any) {
			m["attributedTo"] = []any{"https://victim.example/accounts/a", "https://victim.example/video-channels/c"}
		}, "not on the video's server"},
		{"attributedTo not a URL", func(m map[string]any) { m["attributedTo"] = []any{42} }, "attributedTo"},
		{"no url", func(m map[string]any) { delete(m, "url") }, "url"},
		{"url not an array", func(m map[string]any) { m["url"] = "https://example.org/w/x" }, "url"},
		{"url too long", func(m map[string]any) { m["url"] = many }, "url"},
		{"no icon", func(m map[string]any) { delete(m, "icon") }, "icon"},
		{"no valid icon", func(m map[string]any) {
			m["icon"] = []any{map[string]any{"type": "Image", "url": "javascript:x", "mediaType": "image/jpeg", "width": 1, "height": 1}}
		}, "icon"},
		{"to of numbers", func(m map[string]any) { m["to"] = []any{1} }, "to"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := referenceVideo(t)
			c.change(m)
			v, err := parseVideoMap(t, m)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("ParseVideo = %q, %v; want an error saying %q", v.ID, err, c.says)
			}
		})
	}
	for _, in := range []string{`[]`, `"Video"`, `null`, `{"type":"Video"`, strings.Repeat("[", 100000)} {
		if _, err := ParseVideo([]byte(in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseVideo(%.20q): %v", in, err)
		}
	}
}

// localVideo is a video of ours with every field set.
func localVideo() VideoInput {
	const id = "https://our.example/videos/watch/0d7f1c2e-6b0a-4c8e-9f3d-2a1b3c4d5e6f"
	const hls = "https://bucket.example/hls/0d7f1c2e-6b0a-4c8e-9f3d-2a1b3c4d5e6f/"
	at := time.Date(2026, 5, 1, 12, 0, 0, 123e6, time.UTC)
	return VideoInput{
		ID: id, UUID: "0d7f1c2e-6b0a-4c8e-9f3d-2a1b3c4d5e6f", ShortUUID: "3nXUnFmMkwKJ6dHQ2YDRCk",
		Name: "Bread, from scratch", Description: "# Bread\n\nFlour, *water*, salt.", Duration: 3723,
		Published: at, Updated: at.Add(time.Hour), OriginallyPublished: at.AddDate(-1, 0, 0),
		Privacy: PrivacyPublic, Views: 7, Sensitive: true, CommentsPolicy: CommentsRequireApproval,
		DownloadEnabled: false, WaitTranscoding: true, State: 1,
		Category: Identified{"15", "Science & Technology"}, Licence: Identified{"CC-BY-SA-4.0", "Attribution - Share Alike"},
		Language: Identified{"fr", "French"}, Tags: []string{"bread", "cooking"}, Support: "Thanks!",
		Account: "https://our.example/accounts/alice", Channel: "https://our.example/video-channels/bakery",
		Followers: "https://our.example/accounts/alice/followers",
		Icons: []Image{
			{URL: "https://our.example/lazy-static/thumbnails/t.jpg", MediaType: "image/jpeg", Width: 280, Height: 157},
			{URL: "https://our.example/lazy-static/previews/p.jpg", MediaType: "image/jpeg", Width: 850, Height: 480},
		},
		HLS: &Playlist{
			MasterURL: hls + "master.m3u8", SegmentsSHA256URL: hls + "segments-sha256.json",
			InfoHashes: []string{"00112233445566778899aabbccddeeff00112233"},
			Files: []File{
				{URL: hls + "720-fragmented.mp4", MediaType: "video/mp4", Height: 720, Width: 1280, Size: 123456789, FPS: 30,
					CodecType: "video", TorrentURL: "https://our.example/lazy-static/torrents/720-hls.torrent",
					MagnetURI: "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Bread",
					InfoHash:  "0123456789abcdef0123456789abcdef01234567"},
				{URL: hls + "0-fragmented.mp4", MediaType: "video/mp4", Size: 4567, CodecType: "audio",
					TorrentURL: "https://our.example/lazy-static/torrents/0-hls.torrent",
					// Base32, as some clients write it.
					MagnetURI: "magnet:?xt=urn:btih:AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH",
					InfoHash:  "012345678" + "9abcdef0123456789abcdef01234567"},
			},
		},
		WebVideo: []File{{URL: "https://our.example/static/web-videos/original.mp4", MediaType: "video/mp4", Height: 1080, Width: 1920,
			Size: 999, FPS: 25, TorrentURL: "https://our.example/lazy-static/torrents/original.torrent"}},
		Trackers: []string{"https://our.example/tracker/announce", "wss://our.example/tracker/socket"},
		Captions: []Caption{{Language: Identified{"en", "English"}, Automatic: true,
			URL: "https://our.example/lazy-static/video-captions/en.vtt", PlaylistURL: hls + "en.m3u8"}},
		Likes: id + "/likes", Dislikes: id + "/dislikes", Shares: id + "/announces", Comments: id + "/comments",
	}
}

func TestBuildVideoRoundTrip(t *testing.T) {
	in := localVideo()
	obj, err := BuildVideo(in)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseVideo(data)
	if err != nil {
		t.Fatal(err)
	}
	want := Video{
		ID: in.ID, UUID: in.UUID, Name: in.Name, Description: in.Description, DescriptionType: "text/markdown",
		Duration: in.Duration, Published: in.Published, Updated: in.Updated, OriginallyPublished: in.OriginallyPublished,
		Sensitive: true, Tags: in.Tags, Category: in.Category, Licence: in.Licence, Language: in.Language,
		CommentsPolicy: in.CommentsPolicy, DownloadEnabled: false, WaitTranscoding: true, State: 1, Views: 7,
		LikesURL: in.Likes, DislikesURL: in.Dislikes, SharesURL: in.Shares, CommentsURL: in.Comments, Support: in.Support,
		AttributedTo: []string{in.Account, in.Channel}, Account: in.Account, Channel: in.Channel,
		WatchURL: "https://our.example/w/" + in.ShortUUID, Icon: in.Icons[1], HLS: in.HLS, WebVideo: in.WebVideo,
		Trackers: in.Trackers, Captions: in.Captions,
		To: []string{Public}, CC: []string{in.Followers}, Privacy: PrivacyPublic,
	}
	compareVideos(t, v, want)

	// The shape other servers read: the short watch page first, the
	// Person first, the context before all.
	var doc struct {
		Context      []json.RawMessage `json:"@context"`
		URL          []struct{ MediaType, Href string }
		AttributedTo []string
		CanReply     *string
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), `{"@context":["https://www.w3.org/ns/activitystreams"`) ||
		doc.URL[0].Href != "https://our.example/w/"+in.ShortUUID || doc.URL[1].Href != in.ID ||
		doc.AttributedTo[0] != in.Account || doc.CanReply == nil {
		t.Errorf("shape: %s", data)
	}
}

func TestBuildVideoRefusesWhatWeWouldRefuse(t *testing.T) {
	for name, change := range map[string]func(*VideoInput){
		"no icons":     func(in *VideoInput) { in.Icons = nil },
		"short name":   func(in *VideoInput) { in.Name = "ab" },
		"bad uuid":     func(in *VideoInput) { in.UUID = "x" },
		"no account":   func(in *VideoInput) { in.Account, in.Channel = "", "" },
		"id not a URL": func(in *VideoInput) { in.ID = "/videos/watch/x" },
	} {
		in := localVideo()
		change(&in)
		if _, err := BuildVideo(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: BuildVideo: %v", name, err)
		}
	}
}

func TestVideoAudience(t *testing.T) {
	for _, p := range []Privacy{PrivacyPublic, PrivacyUnlisted, PrivacyPrivate} {
		in := localVideo()
		in.Privacy = p
		obj, err := BuildVideo(in)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(obj)
		v, err := ParseVideo(data)
		if err != nil || v.Privacy != p {
			t.Errorf("%v: parsed as %v, %v", p, v.Privacy, err)
		}
		wantTo, wantCC := Audience(p, in.Followers)
		if !slices.Equal(v.To, wantTo) && !(len(v.To) == 0 && len(wantTo) == 0) ||
			!slices.Equal(v.CC, wantCC) && !(len(v.CC) == 0 && len(wantCC) == 0) {
			t.Errorf("%v: to %q cc %q", p, v.To, v.CC)
		}
	}
}
