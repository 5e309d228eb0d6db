package vocab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Activity is the envelope of an incoming activity: what every handler
// needs before it looks at the object, whose JSON is kept as it came.
type Activity struct {
	ID   string
	Type string
	// Actor is the id of the actor, whether it came as a string or as an
	// embedded object.
	Actor string
	// Object is the object as received: a string (an id), an embedded
	// object, or nothing.
	Object    json.RawMessage
	Target    string
	To, CC    []string
	Published time.Time
}

// activityJSON is the wire form; fields that may come in several shapes
// are decoded by hand.
type activityJSON struct {
	ID        *string         `json:"id"`
	Type      *string         `json:"type"`
	Actor     json.RawMessage `json:"actor"`
	Object    json.RawMessage `json:"object"`
	Target    json.RawMessage `json:"target"`
	To        json.RawMessage `json:"to"`
	CC        json.RawMessage `json:"cc"`
	Published *string         `json:"published"`
}

// Parse reads one activity. The caller bounds the size of data. The id may
// carry a fragment (Mastodon names its Likes and Accepts with one); the
// actor's id may not.
func Parse(data []byte) (Activity, error) {
	var w activityJSON
	if err := decodeObject(data, &w); err != nil {
		return Activity{}, invalid("activity: %v", err)
	}
	a, err := w.activity()
	if err != nil {
		return Activity{}, invalid("activity: %v", err)
	}
	return a, nil
}

func (w activityJSON) activity() (Activity, error) {
	var a Activity
	if w.ID == nil || *w.ID == "" {
		return a, errors.New("no id")
	}
	if err := checkURL(*w.ID); err != nil {
		return a, fmt.Errorf("id: %w", err)
	}
	if w.Type == nil || *w.Type == "" {
		return a, errors.New("no type")
	}
	a.ID, a.Type = *w.ID, *w.Type
	if len(w.Actor) == 0 || isNull(w.Actor) {
		return a, errors.New("no actor")
	}
	actor, err := reference(w.Actor)
	if err != nil {
		return a, fmt.Errorf("actor: %w", err)
	}
	if err := checkID(actor); err != nil {
		return a, fmt.Errorf("actor: %w", err)
	}
	a.Actor = actor
	if len(w.Object) > 0 && !isNull(w.Object) {
		id, err := reference(w.Object)
		if err != nil {
			return a, fmt.Errorf("object: %w", err)
		}
		// An embedded object without an id (a Create of a transient
		// object, say) is left to the handler of its type.
		if id != "" {
			if err := checkURL(id); err != nil {
				return a, fmt.Errorf("object: %w", err)
			}
		}
		a.Object = w.Object
	}
	if len(w.Target) > 0 && !isNull(w.Target) {
		if a.Target, err = reference(w.Target); err != nil {
			return a, fmt.Errorf("target: %w", err)
		}
		if err := checkURL(a.Target); err != nil {
			return a, fmt.Errorf("target: %w", err)
		}
	}
	if a.To, err = iris(w.To); err != nil {
		return a, fmt.Errorf("to: %w", err)
	}
	if a.CC, err = iris(w.CC); err != nil {
		return a, fmt.Errorf("cc: %w", err)
	}
	if w.Published != nil {
		if a.Published, err = parseTime(*w.Published); err != nil {
			return a, fmt.Errorf("published: %w", err)
		}
	}
	return a, nil
}

// ObjectID is the id of the object: the string itself, or the id of the
// embedded object; empty when there is none.
func (a Activity) ObjectID() string {
	id, _ := reference(a.Object)
	return id
}

// ObjectType is the type of an embedded object; empty when the object is
// only an id.
func (a Activity) ObjectType() string {
	var o struct {
		Type string `json:"type"`
	}
	if !isObject(a.Object) || json.Unmarshal(a.Object, &o) != nil {
		return ""
	}
	return o.Type
}

// ObjectActivity parses the embedded object as an activity: the Follow an
// Accept answers, the Like an Undo takes back.
func (a Activity) ObjectActivity() (Activity, error) {
	if !isObject(a.Object) {
		return Activity{}, invalid("%s %s: object is not an embedded activity", a.Type, a.ID)
	}
	inner, err := Parse(a.Object)
	if err != nil {
		return Activity{}, fmt.Errorf("%s %s: %w", a.Type, a.ID, err)
	}
	return inner, nil
}

// ParseInbox reads an inbox body: one activity, or a collection (or page)
// of them under items or orderedItems. Invalid items are left out, as
// PeerTube does, and reported joined in the error beside the valid ones; a
// body that is neither is only an error.
func ParseInbox(data []byte) ([]Activity, error) {
	var head struct {
		Type         *string           `json:"type"`
		Items        []json.RawMessage `json:"items"`
		OrderedItems []json.RawMessage `json:"orderedItems"`
	}
	if err := decodeObject(data, &head); err != nil {
		return nil, invalid("inbox: %v", err)
	}
	var items []json.RawMessage
	switch t := deref(head.Type); t {
	case TypeCollection, TypeCollectionPage:
		items = head.Items
	case TypeOrderedCollection, TypeOrderedCollectionPage:
		items = head.OrderedItems
	default:
		a, err := Parse(data)
		if err != nil {
			return nil, err
		}
		return []Activity{a}, nil
	}
	var out []Activity
	var errs []error
	for i, item := range items {
		a, err := Parse(item)
		if err != nil {
			errs = append(errs, fmt.Errorf("item %d: %w", i, err))
			continue
		}
		out = append(out, a)
	}
	return out, errors.Join(errs...)
}

// decodeObject refuses anything but a JSON object before decoding it.
func decodeObject(data []byte, v any) error {
	if !isObject(data) {
		return errors.New("not a JSON object")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

func isObject(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

func isNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// reference reads a value that names something either as its id string or
// as an embedded object with an id.
func reference(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var o struct {
		ID *string `json:"id"`
	}
	if !isObject(raw) {
		return "", errors.New("neither an id nor an object")
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return "", fmt.Errorf("decode: %w", err)
	}
	return deref(o.ID), nil
}

// iris reads an audience field: one IRI or an array of them. Public's
// compacted aliases are read as Public.
func iris(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	var list []string
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		list = []string{one}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.New("neither an IRI nor an array of IRIs")
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		if isPublic(s) {
			out = append(out, Public)
			continue
		}
		if err := checkURL(s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// parseTime reads a date as PeerTube and Mastodon write them (RFC 3339,
// with or without fractions of a second).
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is not RFC 3339", s)
	}
	return t, nil
}

// isoTime writes a time as JavaScript's toISOString does, as PeerTube
// writes dates and builds ids from them.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
