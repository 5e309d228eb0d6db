package vocab

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// roundTrip marshals what we built and reads it back as a remote server
// would.
func roundTrip(t *testing.T, o Object) (Activity, map[string]any) {
	t.Helper()
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["@context"]; !ok {
		t.Errorf("%s: no @context", data)
	}
	a, err := Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return a, m
}

func TestActivityBuilders(t *testing.T) {
	const (
		alice   = "https://our.example/accounts/alice"
		channel = "https://our.example/video-channels/bakery"
		video   = "https://our.example/videos/watch/0d7f1c2e-6b0a-4c8e-9f3d-2a1b3c4d5e6f"
		remote  = "https://r.example/users/bob"
	)
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	v, err := BuildVideo(localVideo())
	if err != nil {
		t.Fatal(err)
	}
	follow, err := Parse([]byte(`{"id":"https://r.example/f/1","type":"Follow","actor":"` + remote + `","object":"` + channel + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	like := Like(alice, video, "12")
	for _, c := range []struct {
		name                          string
		obj                           Object
		typ, id, actor, object, objTy string
		public                        bool
	}{
		{"Create", Create(alice, v), TypeCreate, video + "/activity", alice, video, TypeVideo, true},
		{"Update", Update(alice, v, at), TypeUpdate, video + "/updates/2026-05-01T12:00:00.000Z", alice, video, TypeVideo, true},
		{"Delete", Delete(alice, video, []string{Public}, nil), TypeDelete, video + "/delete", alice, video, "", true},
		{"Announce", Announce(channel, video, "7", []string{Public}, nil), TypeAnnounce, video + "/announces/7", channel, video, "", true},
		{"Follow", Follow(alice, channel, "3"), TypeFollow, alice + "/follows/3", alice, channel, "", false},
		{"Accept", Accept(channel, follow, "9"), TypeAccept, "https://our.example/accepts/follows/9", channel, follow.ID, TypeFollow, false},
		{"Reject", Reject(channel, follow, at), TypeReject, "https://our.example/rejects/follows/2026-05-01T12:00:00.000Z", channel, follow.ID, TypeFollow, false},
		{"Like", like, TypeLike, alice + "/likes/12", alice, video, "", false},
		{"Undo", Undo(like), TypeUndo, alice + "/likes/12/undo", alice, alice + "/likes/12", TypeLike, false},
		{"Dislike", Dislike(alice, video, "12"), TypeDislike, alice + "/dislikes/12", alice, video, "", false},
		{"View", View(alice, video, "12/abc"), TypeView, alice + "/views/videos/12/abc", alice, video, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, m := roundTrip(t, c.obj)
			if a.Type != c.typ || a.ID != c.id || c.obj.ID() != c.id || a.Actor != c.actor || a.ObjectID() != c.object ||
				a.ObjectType() != c.objTy || slices.Contains(a.To, Public) != c.public {
				t.Errorf("got %+v, object %q %q", a, a.ObjectID(), a.ObjectType())
			}
			if o, ok := m["object"].(map[string]any); ok {
				if _, ok := o["@context"]; ok {
					t.Errorf("embedded object has its own @context")
				}
			}
		})
	}
	// The Follow an Accept embeds is the one received.
	a, _ := roundTrip(t, Accept(channel, follow, "9"))
	inner, err := a.ObjectActivity()
	if err != nil || inner.Actor != remote || inner.ObjectID() != channel {
		t.Errorf("Accept embeds %+v, %v", inner, err)
	}
	// Create carries the video's audience.
	a, _ = roundTrip(t, Create(alice, v))
	if !slices.Equal(a.To, []string{Public}) || !slices.Equal(a.CC, []string{"https://our.example/accounts/alice/followers"}) {
		t.Errorf("Create audience: to %q cc %q", a.To, a.CC)
	}
}

func TestNote(t *testing.T) {
	n := Note{
		ID: "https://our.example/videos/watch/v/comments/1", AttributedTo: "https://our.example/accounts/alice",
		InReplyTo: "https://r.example/videos/watch/v", Content: "<p>Nice &amp; warm</p>",
		Published: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), To: []string{Public},
		CC: []string{"https://our.example/accounts/alice/followers"}, URL: "https://our.example/videos/watch/v;threadId=1",
	}
	data, err := json.Marshal(BuildNote(n))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseNote(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != n.ID || got.AttributedTo != n.AttributedTo || got.InReplyTo != n.InReplyTo || got.Content != n.Content ||
		!got.Published.Equal(n.Published) || !slices.Equal(got.To, n.To) || !slices.Equal(got.CC, n.CC) || got.URL != n.URL {
		t.Errorf("round trip: %+v", got)
	}
	a, err := Parse(mustMarshal(t, Create(n.AttributedTo, BuildNote(n))))
	if err != nil || a.ObjectType() != TypeNote || a.ID != n.ID+"/activity" {
		t.Errorf("Create(Note): %+v, %v", a, err)
	}

	// Mastodon's shape: attributedTo and inReplyTo as strings, url a string.
	mastodon := `{"id":"https://m.example/users/bob/statuses/1","type":"Note","attributedTo":"https://m.example/users/bob",
		"inReplyTo":"https://our.example/videos/watch/v","content":"<p>hi</p>","published":"2026-05-01T12:00:00Z",
		"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":[],"url":"https://m.example/@bob/1"}`
	if got, err := ParseNote([]byte(mastodon)); err != nil || got.URL != "https://m.example/@bob/1" {
		t.Errorf("Mastodon note: %+v, %v", got, err)
	}
	for name, in := range map[string]string{
		"not a Note":         strings.Replace(mastodon, `"Note"`, `"Video"`, 1),
		"author elsewhere":   strings.Replace(mastodon, `"attributedTo":"https://m.example/users/bob"`, `"attributedTo":"https://our.example/accounts/alice"`, 1),
		"author not a URL":   strings.Replace(mastodon, `"attributedTo":"https://m.example/users/bob"`, `"attributedTo":7`, 1),
		"no inReplyTo":       strings.Replace(mastodon, `"inReplyTo":"https://our.example/videos/watch/v",`, ``, 1),
		"inReplyTo not http": strings.Replace(mastodon, `"inReplyTo":"https://our.example/videos/watch/v"`, `"inReplyTo":"javascript:x"`, 1),
		"no content":         strings.Replace(mastodon, `"content":"<p>hi</p>",`, ``, 1),
		"bad date":           strings.Replace(mastodon, `2026-05-01T12:00:00Z`, `May 1st`, 1),
		"id with fragment":   strings.Replace(mastodon, `statuses/1"`, `statuses/1#x"`, 1),
		"array":              `[` + mastodon + `]`,
	} {
		if _, err := ParseNote([]byte(in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: ParseNote: %v", name, err)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCollections(t *testing.T) {
	const id = "https://our.example/accounts/alice/outbox"
	c := mustMarshal(t, OrderedCollection(id, 2, id+"?page=1"))
	var coll struct {
		Context    []string `json:"@context"`
		Type, ID   string
		TotalItems int
		First      string
	}
	if err := json.Unmarshal(c, &coll); err != nil || coll.Type != TypeOrderedCollection || coll.TotalItems != 2 || coll.First != id+"?page=1" {
		t.Errorf("collection %s: %v", c, err)
	}
	announce := Announce("https://our.example/video-channels/b", "https://our.example/videos/watch/v", "1", []string{Public}, nil)
	p := mustMarshal(t, OrderedCollectionPage(id+"?page=1", id, 2, []any{announce, "https://our.example/videos/watch/w"}, id+"?page=2"))
	// An inbox reads a page of activities as a batch; the id item is left
	// out, not fatal.
	got, err := ParseInbox(p)
	if len(got) != 1 || got[0].ID != announce.ID() || err == nil {
		t.Errorf("page %s read as %v, %v", p, got, err)
	}
	if strings.Count(string(p), "@context") != 1 {
		t.Errorf("page items carry their context: %s", p)
	}
	last := mustMarshal(t, OrderedCollectionPage(id+"?page=2", id, 2, nil, ""))
	if strings.Contains(string(last), `"next"`) || !strings.Contains(string(last), `"orderedItems":[]`) {
		t.Errorf("last page: %s", last)
	}
}

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		`<p>Hello <b>world</b></p>`:                                 "Hello world",
		`<p>one</p><p>two<br>three</p>`:                             "one\ntwo\nthree",
		`Fish &amp; chips &lt;3 &#x1F600; &eacute;`:                 "Fish & chips <3 😀 é",
		`<script>alert("x")</script>ok`:                             "ok",
		`<SCRIPT>alert(1)</SCRIPT>ok`:                               "ok",
		`<style>body{display:none}</style>shown`:                    "shown",
		`<img src=x onerror=alert(1)>img`:                           "img",
		`<a href="javascript:alert(1)">link</a>`:                    "link",
		`<!-- <script>x</script> -->after`:                          "after",
		`<scr<script>ipt>alert(1)</script>`:                         "ipt>alert(1)",
		`&lt;script&gt;alert(1)&lt;/script&gt;`:                     "<script>alert(1)</script>",
		`<svg><script>alert(1)</script><text>t</text></svg>visible`: "visible",
		`<p title="a > b">quoted</p>`:                               "quoted",
		`<textarea><b>raw</b></textarea>after`:                      "after",
		`unclosed <b`:                                               "unclosed",
		`<![CDATA[x]]>y`:                                            "y",
		``:                                                          "",
	} {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
	// Large hostile input ends, and gives only its text.
	huge := strings.Repeat("<div><script>", 20000) + "x"
	if got := PlainText(huge); got != "" {
		t.Errorf("nested scripts gave %q", got)
	}
}
