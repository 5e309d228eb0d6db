package vocab

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// outJSON is an activity we send.
type outJSON struct {
	Type      string   `json:"type"`
	ID        string   `json:"id"`
	Actor     string   `json:"actor"`
	To        []string `json:"to,omitempty"`
	CC        []string `json:"cc,omitempty"`
	Object    any      `json:"object"`
	Published string   `json:"published,omitempty"`
}

// Sent stamps an activity with the time it is sent. Two sends of one
// activity (a video deleted, published again and deleted again within a
// second) are then two different requests, which a receiver that refuses
// replayed signatures takes both; other objects are returned as they are.
func (o Object) Sent(at time.Time) Object {
	if b, ok := o.body.(outJSON); ok {
		b.Published = isoTime(at)
		o.body = b
	}
	return o
}

func activity(typ, id, actor string, to, cc []string, object any, context func() []any) Object {
	return Object{id: id, actor: actor, to: to, cc: cc, context: context,
		body: outJSON{Type: typ, ID: id, Actor: actor, To: to, CC: cc, Object: object}}
}

// Create wraps a Video or a Note we publish; it carries the object's
// audience, and its id is {object}/activity.
func Create(actor string, o Object) Object {
	return activity(TypeCreate, o.id+"/activity", actor, o.to, o.cc, o.body, o.context)
}

// Update wraps an object that changed at the given time; its id is
// {object}/updates/{time}, so that each change is a new activity.
func Update(actor string, o Object, at time.Time) Object {
	return activity(TypeUpdate, o.id+"/updates/"+isoTime(at), actor, o.to, o.cc, o.body, o.context)
}

// Delete says an object is gone; its object is the id only.
func Delete(actor, objectID string, to, cc []string) Object {
	return activity(TypeDelete, objectID+"/delete", actor, to, cc, objectID, NoteContext)
}

// Announce shares a video, as a channel does for its videos; its id is
// {video}/announces/{key}, key naming the sharer (PeerTube: its actor id).
func Announce(actor, videoURL, key string, to, cc []string) Object {
	return activity(TypeAnnounce, videoURL+"/announces/"+key, actor, to, cc, videoURL, NoteContext)
}

// Follow asks to follow an actor; its id is {actor}/follows/{key}, key
// naming the follow (PeerTube: the followed actor's id).
func Follow(actor, object, key string) Object {
	return activity(TypeFollow, actor+"/follows/"+key, actor, nil, nil, object, NoteContext)
}

// followJSON is a received Follow, embedded in our answer to it.
type followJSON struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Actor  string `json:"actor"`
	Object string `json:"object"`
}

func embedFollow(f Activity) followJSON {
	return followJSON{Type: TypeFollow, ID: f.ID, Actor: f.Actor, Object: f.ObjectID()}
}

// Accept accepts a received Follow, embedded; its id is
// https://HOST/accepts/follows/{key}, key naming the follow.
func Accept(actor string, follow Activity, key string) Object {
	host, _ := Origin(actor)
	return activity(TypeAccept, host+"/accepts/follows/"+key, actor, nil, nil, embedFollow(follow), NoteContext)
}

// Reject refuses a received Follow, embedded; its id is
// https://HOST/rejects/follows/{time}.
func Reject(actor string, follow Activity, at time.Time) Object {
	host, _ := Origin(actor)
	return activity(TypeReject, host+"/rejects/follows/"+isoTime(at), actor, nil, nil, embedFollow(follow), NoteContext)
}

// Undo takes back an activity we sent (a Follow, Like, Dislike or
// Announce), embedded; its id is {activity}/undo.
func Undo(o Object) Object {
	return activity(TypeUndo, o.id+"/undo", o.actor, o.to, o.cc, o.body, o.context)
}

// Like rates a video; its id is {actor}/likes/{key}, key naming the video
// (PeerTube: its id).
func Like(actor, videoURL, key string) Object {
	return activity(TypeLike, actor+"/likes/"+key, actor, nil, nil, videoURL, NoteContext)
}

// Dislike is Like's opposite; its id is {actor}/dislikes/{key}.
func Dislike(actor, videoURL, key string) Object {
	return activity(TypeDislike, actor+"/dislikes/"+key, actor, nil, nil, videoURL, NoteContext)
}

// View counts a view of a video; its id is {actor}/views/videos/{key},
// key naming the video and the viewer.
func View(actor, videoURL, key string) Object {
	return activity(TypeView, actor+"/views/videos/"+key, actor, nil, nil, videoURL, NoteContext)
}

// Note is a comment: on a video, or in reply to another comment.
type Note struct {
	ID           string
	AttributedTo string
	InReplyTo    string
	// Content is HTML as the author's server sent it: render it through
	// PlainText or a sanitiser, never as it is.
	Content   string
	Published time.Time
	To, CC    []string
	URL       string
}

type noteJSON struct {
	Type         string   `json:"type"`
	ID           string   `json:"id"`
	To           []string `json:"to"`
	CC           []string `json:"cc"`
	InReplyTo    string   `json:"inReplyTo"`
	AttributedTo string   `json:"attributedTo"`
	Content      string   `json:"content"`
	Published    string   `json:"published"`
	URL          string   `json:"url,omitempty"`
}

// BuildNote describes a local comment.
func BuildNote(n Note) Object {
	to, cc := n.To, n.CC
	if to == nil {
		to = []string{}
	}
	if cc == nil {
		cc = []string{}
	}
	return Object{id: n.ID, actor: n.AttributedTo, to: to, cc: cc, context: NoteContext,
		body: noteJSON{Type: TypeNote, ID: n.ID, To: to, CC: cc, InReplyTo: n.InReplyTo, AttributedTo: n.AttributedTo,
			Content: n.Content, Published: isoTime(n.Published), URL: n.URL}}
}

type noteInJSON struct {
	Type         string          `json:"type"`
	ID           string          `json:"id"`
	To           json.RawMessage `json:"to"`
	CC           json.RawMessage `json:"cc"`
	InReplyTo    json.RawMessage `json:"inReplyTo"`
	AttributedTo json.RawMessage `json:"attributedTo"`
	Content      *string         `json:"content"`
	Published    string          `json:"published"`
	URL          json.RawMessage `json:"url"`
}

// ParseNote reads a comment. Its author must be on the server of its id.
func ParseNote(raw []byte) (Note, error) {
	var w noteInJSON
	if err := decodeObject(raw, &w); err != nil {
		return Note{}, invalid("note: %v", err)
	}
	n, err := w.note()
	if err != nil {
		return Note{}, invalid("note %q: %v", w.ID, err)
	}
	return n, nil
}

func (w noteInJSON) note() (Note, error) {
	n := Note{ID: w.ID}
	var err error
	if w.Type != TypeNote {
		return n, fmt.Errorf("type %q is not Note", w.Type)
	}
	if err := checkID(w.ID); err != nil {
		return n, fmt.Errorf("id: %w", err)
	}
	if n.AttributedTo, err = reference(w.AttributedTo); err != nil || checkID(n.AttributedTo) != nil {
		return n, errors.New("attributedTo is not an actor's URL")
	}
	// Mastodon's rule too: a server speaks only for its own authors.
	if !SameOrigin(n.AttributedTo, n.ID) {
		return n, fmt.Errorf("attributedTo %q is not on the note's server", n.AttributedTo)
	}
	if n.InReplyTo, err = reference(w.InReplyTo); err != nil || checkURL(n.InReplyTo) != nil {
		return n, errors.New("inReplyTo is not a URL")
	}
	if w.Content == nil {
		return n, errors.New("no content")
	}
	n.Content = *w.Content
	if n.Published, err = parseTime(w.Published); err != nil {
		return n, fmt.Errorf("published: %w", err)
	}
	if n.To, err = iris(w.To); err != nil {
		return n, fmt.Errorf("to: %w", err)
	}
	if n.CC, err = iris(w.CC); err != nil {
		return n, fmt.Errorf("cc: %w", err)
	}
	if u := firstHref(w.URL); checkURL(u) == nil {
		n.URL = u
	}
	return n, nil
}
