package vocab

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseActivity(t *testing.T) {
	for _, c := range []struct {
		name, in          string
		objectID, objType string
		actor, target     string
		to, cc            []string
	}{
		{
			name:     "strings",
			in:       `{"id":"https://r.example/users/bob#likes/1","type":"Like","actor":"https://r.example/users/bob","object":"https://our.example/videos/watch/u","to":"https://www.w3.org/ns/activitystreams#Public"}`,
			objectID: "https://our.example/videos/watch/u", actor: "https://r.example/users/bob", to: []string{Public},
		},
		{
			name:     "embedded actor and object, aliases of Public",
			in:       `{"id":"https://r.example/a/1","type":"Create","actor":{"type":"Person","id":"https://r.example/users/bob"},"object":{"type":"Note","id":"https://r.example/notes/1"},"to":["as:Public"],"cc":["Public","https://r.example/users/bob/followers"],"published":"2025-03-08T10:12:44.512Z"}`,
			objectID: "https://r.example/notes/1", objType: "Note", actor: "https://r.example/users/bob",
			to: []string{Public}, cc: []string{Public, "https://r.example/users/bob/followers"},
		},
		{
			name:     "target as object",
			in:       `{"id":"https://r.example/a/2","type":"Add","actor":"https://r.example/u","object":"https://r.example/o","target":{"id":"https://r.example/c"}}`,
			objectID: "https://r.example/o", actor: "https://r.example/u", target: "https://r.example/c",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Parse([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if a.ObjectID() != c.objectID || a.ObjectType() != c.objType || a.Actor != c.actor || a.Target != c.target ||
				!slices.Equal(a.To, c.to) || !slices.Equal(a.CC, c.cc) {
				t.Errorf("got %+v (object %q %q)", a, a.ObjectID(), a.ObjectType())
			}
		})
	}
}

func TestParseActivityRefuses(t *testing.T) {
	const ok = `"id":"https://r.example/a/1","type":"Follow","actor":"https://r.example/u","object":"https://our.example/accounts/a"`
	for name, in := range map[string]string{
		"array":               `[{` + ok + `}]`,
		"string":              `"https://r.example/a/1"`,
		"null":                `null`,
		"empty":               ``,
		"truncated":           `{` + ok,
		"no id":               `{"type":"Follow","actor":"https://r.example/u"}`,
		"no type":             `{"id":"https://r.example/a/1","actor":"https://r.example/u"}`,
		"type array":          `{"id":"https://r.example/a/1","type":["Follow"],"actor":"https://r.example/u"}`,
		"no actor":            `{"id":"https://r.example/a/1","type":"Follow"}`,
		"null actor":          `{"id":"https://r.example/a/1","type":"Follow","actor":null}`,
		"actor without id":    `{"id":"https://r.example/a/1","type":"Follow","actor":{"type":"Person"}}`,
		"actor with fragment": `{"id":"https://r.example/a/1","type":"Follow","actor":"https://r.example/u#me"}`,
		"actor with userinfo": `{"id":"https://r.example/a/1","type":"Follow","actor":"https://our.example@r.example/u"}`,
		"ftp id":              `{"id":"ftp://r.example/a/1","type":"Follow","actor":"https://r.example/u"}`,
		"relative id":         `{"id":"/a/1","type":"Follow","actor":"https://r.example/u"}`,
		"javascript object":   `{` + ok[:len(ok)-len(`"https://our.example/accounts/a"`)] + `"javascript:alert(1)"}`,
		"object number":       `{"id":"https://r.example/a/1","type":"Follow","actor":"https://r.example/u","object":42}`,
		"to of numbers":       `{` + ok + `,"to":[1,2]}`,
		"to with bad IRI":     `{` + ok + `,"to":["data:text/plain,hi"]}`,
		"bad published":       `{` + ok + `,"published":"yesterday"}`,
		"huge id":             `{"id":"https://r.example/` + strings.Repeat("a", 5000) + `","type":"Follow","actor":"https://r.example/u"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if a, err := Parse([]byte(in)); !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse = %+v, %v; want ErrInvalid", a, err)
			}
		})
	}
}

func TestParseInbox(t *testing.T) {
	one := `{"id":"https://r.example/a/1","type":"View","actor":"https://r.example/u","object":"https://our.example/videos/watch/u"}`
	bad := `{"id":"https://r.example/a/2","type":"View"}`
	for _, c := range []struct {
		name, in string
		ids      []string
		dropped  bool
	}{
		{"one activity", one, []string{"https://r.example/a/1"}, false},
		{"Collection", `{"type":"Collection","items":[` + one + `,` + bad + `]}`, []string{"https://r.example/a/1"}, true},
		{"OrderedCollectionPage", `{"type":"OrderedCollectionPage","orderedItems":[` + one + `]}`, []string{"https://r.example/a/1"}, false},
		{"ids are not activities", `{"type":"OrderedCollection","orderedItems":["https://r.example/a/1"]}`, nil, true},
		{"items of the other kind are not read", `{"type":"OrderedCollection","items":[` + one + `]}`, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseInbox([]byte(c.in))
			var ids []string
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if !slices.Equal(ids, c.ids) || (err != nil) != c.dropped {
				t.Errorf("ParseInbox = %v, %v", ids, err)
			}
		})
	}
	for _, in := range []string{`[` + one + `]`, bad, `{"type":"Collection","items":{}}`} {
		if got, err := ParseInbox([]byte(in)); len(got) != 0 || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseInbox(%s) = %v, %v; want ErrInvalid", in, got, err)
		}
	}
}

func TestObjectActivity(t *testing.T) {
	undo, err := Parse([]byte(`{"id":"https://r.example/u#likes/1/undo","type":"Undo","actor":"https://r.example/u",
		"object":{"id":"https://r.example/u#likes/1","type":"Like","actor":"https://r.example/u","object":"https://our.example/videos/watch/v"}}`))
	if err != nil {
		t.Fatal(err)
	}
	like, err := undo.ObjectActivity()
	if err != nil || like.Type != TypeLike || like.ObjectID() != "https://our.example/videos/watch/v" || like.Actor != undo.Actor {
		t.Errorf("ObjectActivity = %+v, %v", like, err)
	}
	accept, err := Parse([]byte(`{"id":"https://r.example/accepts/1","type":"Accept","actor":"https://r.example/u","object":"https://our.example/accounts/a/follows/1"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accept.ObjectActivity(); !errors.Is(err, ErrInvalid) {
		t.Errorf("ObjectActivity of an id: %v", err)
	}
}
