package vocab

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Actor is a remote actor's document, checked: its inbox, collections and
// key all belong to the server that serves its id.
type Actor struct {
	Type              string
	ID                string
	PreferredUsername string
	Name              string
	Summary           string
	// URL is its profile page, empty when absent or not http(s).
	URL                         string
	Inbox, Outbox               string
	Followers, Following        string
	SharedInbox                 string
	PublicKeyID, PublicKeyOwner string
	PublicKeyPEM                string
	// Icon is the URL of its first avatar, empty when none is usable.
	Icon string
	// AttributedTo names a Group's owners (PeerTube: the channel's
	// account).
	AttributedTo []string
}

type actorJSON struct {
	Type              string          `json:"type"`
	ID                string          `json:"id"`
	PreferredUsername string          `json:"preferredUsername"`
	Name              *string         `json:"name"`
	Summary           *string         `json:"summary"`
	URL               json.RawMessage `json:"url"`
	Inbox             string          `json:"inbox"`
	Outbox            string          `json:"outbox"`
	Followers         string          `json:"followers"`
	Following         string          `json:"following"`
	Endpoints         *struct {
		SharedInbox string `json:"sharedInbox"`
	} `json:"endpoints"`
	PublicKey *struct {
		ID           string `json:"id"`
		Owner        string `json:"owner"`
		PublicKeyPEM string `json:"publicKeyPem"`
	} `json:"publicKey"`
	Icon         json.RawMessage `json:"icon"`
	AttributedTo json.RawMessage `json:"attributedTo"`
}

// maxHandle is PeerTube's longest actor name, with room for other servers.
const maxHandle = 100

// ParseActor reads and checks an actor document. The caller bounds its
// size and has fetched it from its id.
func ParseActor(data []byte) (Actor, error) {
	var w actorJSON
	if err := decodeObject(data, &w); err != nil {
		return Actor{}, invalid("actor: %v", err)
	}
	a, err := w.actor()
	if err != nil {
		return Actor{}, invalid("actor %q: %v", w.ID, err)
	}
	return a, nil
}

func (w actorJSON) actor() (Actor, error) {
	switch w.Type {
	case TypePerson, TypeGroup, TypeApplication, TypeService, TypeOrganization:
	default:
		return Actor{}, fmt.Errorf("type %q is not an actor's", w.Type)
	}
	if err := checkID(w.ID); err != nil {
		return Actor{}, fmt.Errorf("id: %w", err)
	}
	if !safeHandle(w.PreferredUsername) {
		return Actor{}, fmt.Errorf("preferredUsername %q is not a handle", w.PreferredUsername)
	}
	a := Actor{
		Type: w.Type, ID: w.ID, PreferredUsername: w.PreferredUsername,
		Name: deref(w.Name), Summary: deref(w.Summary),
		Inbox: w.Inbox, Outbox: w.Outbox, Followers: w.Followers, Following: w.Following,
	}
	if a.Inbox == "" {
		return Actor{}, errors.New("no inbox")
	}
	if w.Endpoints != nil {
		a.SharedInbox = w.Endpoints.SharedInbox
	}
	// Where we deliver and what we list as its followers must be its own
	// server's: anything else would let one server make us post to, or
	// count for, another.
	for _, f := range []struct{ name, url string }{
		{"inbox", a.Inbox}, {"sharedInbox", a.SharedInbox}, {"outbox", a.Outbox},
		{"followers", a.Followers}, {"following", a.Following},
	} {
		if f.url == "" {
			continue
		}
		if err := checkURL(f.url); err != nil {
			return Actor{}, fmt.Errorf("%s: %w", f.name, err)
		}
		if !SameOrigin(f.url, a.ID) {
			return Actor{}, fmt.Errorf("%s %q is not on the actor's server", f.name, f.url)
		}
	}
	k := w.PublicKey
	if k == nil || k.PublicKeyPEM == "" {
		return Actor{}, errors.New("no public key")
	}
	if k.Owner != a.ID {
		return Actor{}, fmt.Errorf("public key owner %q is not the actor", k.Owner)
	}
	if err := checkURL(k.ID); err != nil {
		return Actor{}, fmt.Errorf("public key id: %w", err)
	}
	if !SameOrigin(k.ID, a.ID) {
		return Actor{}, fmt.Errorf("public key %q is not on the actor's server", k.ID)
	}
	a.PublicKeyID, a.PublicKeyOwner, a.PublicKeyPEM = k.ID, k.Owner, k.PublicKeyPEM
	// The page and the avatar are only shown, never trusted: one that is
	// not http(s) is left out rather than refusing the actor.
	if u := firstHref(w.URL); checkURL(u) == nil {
		a.URL = u
	}
	if u := firstImage(w.Icon); checkURL(u) == nil {
		a.Icon = u
	}
	owners, err := references(w.AttributedTo)
	if err != nil {
		return Actor{}, fmt.Errorf("attributedTo: %w", err)
	}
	a.AttributedTo = owners
	return a, nil
}

// safeHandle accepts the names that can stand in a handle and a URL as
// they are: ASCII letters, digits, '_', '.' and '-'.
func safeHandle(s string) bool {
	if s == "" || len(s) > maxHandle {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
		default:
			return false
		}
	}
	return true
}

// references reads one or more ids, each a string or an object with an id,
// every one an http(s) URL.
func references(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		items = []json.RawMessage{raw}
	}
	var out []string
	for _, item := range items {
		id, err := reference(item)
		if err != nil {
			return nil, err
		}
		if err := checkID(id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// firstHref reads a url value: a string, a Link, or an array of either,
// and returns the first href; PeerTube's actors send a string.
func firstHref(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if isObject(raw) {
		return linkHref(raw)
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || len(items) == 0 {
		return ""
	}
	// One level of array: nested ones are no shape anyone sends.
	if json.Unmarshal(items[0], &s) == nil {
		return s
	}
	return linkHref(items[0])
}

func linkHref(raw json.RawMessage) string {
	var link struct {
		Href string `json:"href"`
	}
	if !isObject(raw) || json.Unmarshal(raw, &link) != nil {
		return ""
	}
	return link.Href
}

// firstImage reads an icon value: an Image or an array of them, and
// returns the url of the first.
func firstImage(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var img struct {
		URL json.RawMessage `json:"url"`
	}
	if isObject(raw) {
		if json.Unmarshal(raw, &img) != nil {
			return ""
		}
		// A string, or one Link: deeper shapes are no one's.
		var s string
		if json.Unmarshal(img.URL, &s) == nil {
			return s
		}
		return linkHref(img.URL)
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || len(items) == 0 || !isObject(items[0]) {
		return ""
	}
	return firstImage(items[0])
}
