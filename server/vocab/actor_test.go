package vocab

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// remoteActor is a PeerTube channel as its server describes it; tests
// change one field at a time.
func remoteActor() map[string]any {
	id := "https://r.example/video-channels/cooking"
	return map[string]any{
		"@context":          ActorContext(),
		"type":              "Group",
		"id":                id,
		"following":         id + "/following",
		"followers":         id + "/followers",
		"inbox":             id + "/inbox",
		"outbox":            id + "/outbox",
		"preferredUsername": "cooking",
		"url":               id,
		"name":              "Cooking <b>club</b>",
		"summary":           nil,
		"endpoints":         map[string]any{"sharedInbox": "https://r.example/inbox"},
		"publicKey":         map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n..."},
		"icon":              []any{map[string]any{"type": "Image", "url": "https://cdn.example/avatars/1.jpg"}, map[string]any{"type": "Image", "url": "https://cdn.example/avatars/2.jpg"}},
		"attributedTo":      []any{map[string]any{"type": "Person", "id": "https://r.example/accounts/chef"}},
	}
}

func parseActorMap(t *testing.T, m map[string]any) (Actor, error) {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return ParseActor(data)
}

func TestParseActor(t *testing.T) {
	a, err := parseActorMap(t, remoteActor())
	if err != nil {
		t.Fatal(err)
	}
	id := "https://r.example/video-channels/cooking"
	want := Actor{Type: "Group", ID: id, PreferredUsername: "cooking", Name: "Cooking <b>club</b>", URL: id,
		Inbox: id + "/inbox", Outbox: id + "/outbox", Followers: id + "/followers", Following: id + "/following",
		SharedInbox: "https://r.example/inbox", PublicKeyID: id + "#main-key", PublicKeyOwner: id,
		PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\n...", Icon: "https://cdn.example/avatars/1.jpg",
		AttributedTo: []string{"https://r.example/accounts/chef"}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("ParseActor =\n%+v\nwant\n%+v", a, want)
	}

	// The shapes other servers use for url, icon and attributedTo.
	m := remoteActor()
	m["type"] = "Person"
	m["url"] = map[string]any{"type": "Link", "href": "https://r.example/@cooking"}
	m["icon"] = map[string]any{"type": "Image", "url": "https://r.example/a.png"}
	m["attributedTo"] = "https://r.example/c/cooking/moderators"
	if a, err = parseActorMap(t, m); err != nil || a.URL != "https://r.example/@cooking" || a.Icon != "https://r.example/a.png" ||
		!slices.Equal(a.AttributedTo, []string{"https://r.example/c/cooking/moderators"}) {
		t.Errorf("other shapes: %+v, %v", a, err)
	}
	// What is only shown is dropped when unusable, not fatal.
	m["url"] = "javascript:alert(1)"
	m["icon"] = []any{[]any{[]any{"https://deep.example/"}}}
	if a, err = parseActorMap(t, m); err != nil || a.URL != "" || a.Icon != "" {
		t.Errorf("unusable url and icon: %+v, %v", a, err)
	}
}

func TestParseActorRefuses(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(m map[string]any)
	}{
		{"not an actor", func(m map[string]any) { m["type"] = "Note" }},
		{"id not http(s)", func(m map[string]any) { m["id"] = "ftp://r.example/video-channels/cooking" }},
		{"id with userinfo", func(m map[string]any) { m["id"] = "https://r.example@evil.example/video-channels/cooking" }},
		{"id with fragment", func(m map[string]any) { m["id"] = "https://r.example/video-channels/cooking#x" }},
		{"no inbox", func(m map[string]any) { delete(m, "inbox") }},
		{"inbox elsewhere", func(m map[string]any) { m["inbox"] = "https://victim.example/inbox" }},
		{"inbox on another port", func(m map[string]any) { m["inbox"] = "https://r.example:8443/inbox" }},
		{"inbox over another scheme", func(m map[string]any) { m["inbox"] = "http://r.example/inbox" }},
		{"shared inbox elsewhere", func(m map[string]any) {
			m["endpoints"] = map[string]any{"sharedInbox": "https://victim.example/inbox"}
		}},
		{"followers elsewhere", func(m map[string]any) { m["followers"] = "https://victim.example/followers" }},
		{"outbox not http", func(m map[string]any) { m["outbox"] = "file:///etc/passwd" }},
		{"no key", func(m map[string]any) { delete(m, "publicKey") }},
		{"key of another owner", func(m map[string]any) {
			m["publicKey"] = map[string]any{"id": "https://r.example/accounts/x#main-key", "owner": "https://r.example/accounts/x", "publicKeyPem": "k"}
		}},
		{"key elsewhere", func(m map[string]any) {
			m["publicKey"] = map[string]any{"id": "https://evil.example/k", "owner": m["id"], "publicKeyPem": "k"}
		}},
		{"empty key", func(m map[string]any) {
			m["publicKey"] = map[string]any{"id": m["id"].(string) + "#main-key", "owner": m["id"], "publicKeyPem": ""}
		}},
		{"no preferredUsername", func(m map[string]any) { delete(m, "preferredUsername") }},
		{"handle with @", func(m map[string]any) { m["preferredUsername"] = "cook@evil.example" }},
		{"handle with /", func(m map[string]any) { m["preferredUsername"] = "../admin" }},
		{"handle with space", func(m map[string]any) { m["preferredUsername"] = "cook ing" }},
		{"handle not ASCII", func(m map[string]any) { m["preferredUsername"] = "сooking" }},
		{"handle too long", func(m map[string]any) { m["preferredUsername"] = strings.Repeat("a", 101) }},
		{"owner not a URL", func(m map[string]any) { m["attributedTo"] = []any{"mailto:x@r.example"} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := remoteActor()
			c.change(m)
			if a, err := parseActorMap(t, m); !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseActor = %+v, %v; want ErrInvalid", a, err)
			}
		})
	}
	for _, in := range []string{`[]`, `"x"`, `{"type":"Person"`, ``} {
		if _, err := ParseActor([]byte(in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseActor(%q): %v", in, err)
		}
	}
}
