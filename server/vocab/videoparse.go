package vocab

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Video is a remote video, as ParseVideo read and checked it.
type Video struct {
	ID   string
	UUID string // lower case
	Name string
	// Description is the content, in DescriptionType (text/markdown or
	// text/html).
	Description, DescriptionType string
	Duration                     int // seconds
	Published, Updated           time.Time
	OriginallyPublished          time.Time // zero when not given
	Sensitive                    bool
	Tags                         []string
	Category, Licence, Language  Identified
	CommentsPolicy               CommentsPolicy
	DownloadEnabled              bool
	WaitTranscoding              bool
	State                        int
	Views                        int
	// Likes and Dislikes are counted only when the sender embeds its
	// collections with their totalItems; PeerTube sends their URLs.
	Likes, Dislikes                               int
	LikesURL, DislikesURL, SharesURL, CommentsURL string
	Support                                       string
	// AttributedTo lists the actors as sent. Account and Channel are the
	// Person and the Group among them: by their type when sent as
	// objects, else by position (PeerTube sends the Person first); the
	// caller confirms by fetching them.
	AttributedTo     []string
	Account, Channel string
	// WatchURL is the first text/html link on the video's own server.
	WatchURL string
	// Icon is the largest picture (the preview, on PeerTube).
	Icon     Image
	HLS      *Playlist
	WebVideo []File
	Trackers []string
	Captions []Caption
	To, CC   []string
	Privacy  Privacy
}

// The shapes we read, loose where senders differ; every value is checked
// after decoding.
type videoInJSON struct {
	Type                  string            `json:"type"`
	ID                    string            `json:"id"`
	Name                  *string           `json:"name"`
	Duration              *string           `json:"duration"`
	UUID                  *string           `json:"uuid"`
	Category              *identifiedInJSON `json:"category"`
	Licence               *identifiedInJSON `json:"licence"`
	Language              *identifiedInJSON `json:"language"`
	Views                 json.RawMessage   `json:"views"`
	Sensitive             json.RawMessage   `json:"sensitive"`
	WaitTranscoding       json.RawMessage   `json:"waitTranscoding"`
	State                 json.RawMessage   `json:"state"`
	CommentsPolicy        json.RawMessage   `json:"commentsPolicy"`
	CommentsEnabled       json.RawMessage   `json:"commentsEnabled"`
	DownloadEnabled       json.RawMessage   `json:"downloadEnabled"`
	Published             *string           `json:"published"`
	OriginallyPublishedAt *string           `json:"originallyPublishedAt"`
	Updated               *string           `json:"updated"`
	Tag                   []json.RawMessage `json:"tag"`
	MediaType             *string           `json:"mediaType"`
	Content               *string           `json:"content"`
	Support               *string           `json:"support"`
	SubtitleLanguage      []json.RawMessage `json:"subtitleLanguage"`
	Icon                  []json.RawMessage `json:"icon"`
	URL                   json.RawMessage   `json:"url"`
	Likes                 json.RawMessage   `json:"likes"`
	Dislikes              json.RawMessage   `json:"dislikes"`
	Shares                json.RawMessage   `json:"shares"`
	Comments              json.RawMessage   `json:"comments"`
	AttributedTo          json.RawMessage   `json:"attributedTo"`
	To                    json.RawMessage   `json:"to"`
	CC                    json.RawMessage   `json:"cc"`
}

type identifiedInJSON struct {
	Identifier json.RawMessage `json:"identifier"`
	Name       string          `json:"name"`
}

// linkInJSON is any entry of url[] or of a playlist's tag[].
type linkInJSON struct {
	Type       string            `json:"type"`
	Name       string            `json:"name"`
	Rel        []string          `json:"rel"`
	MediaType  string            `json:"mediaType"`
	Href       string            `json:"href"`
	Height     *int              `json:"height"`
	Width      int               `json:"width"`
	Size       int64             `json:"size"`
	FPS        int               `json:"fps"`
	Tag        []json.RawMessage `json:"tag"`
	Attachment []propertyJSON    `json:"attachment"`
}

// Bounds on a video's lists: PeerTube's own videos stay far below them,
// and a sender that goes beyond only wants us to store its junk.
const (
	maxLinks    = 200
	maxTags     = 50
	maxCaptions = 100
)

// ParseVideo reads a Video object and applies PeerTube's rules: the
// object is refused when its type, id, name (3 to 120 characters), uuid,
// duration, views, dates, attribution, links or pictures are wrong;
// optional fields that are missing or wrong take PeerTube's defaults
// (state 1, waitTranscoding false, downloadEnabled true, sensitive false,
// comments disabled). Invalid entries of url[], tag[], icon[] and
// subtitleLanguage[] are left out, as PeerTube leaves them. Media files may
// be served from another host (object storage); the actors it is
// attributed to must be on the video's own server.
func ParseVideo(raw json.RawMessage) (Video, error) {
	var w videoInJSON
	if err := decodeObject(raw, &w); err != nil {
		return Video{}, invalid("video: %v", err)
	}
	v, err := w.video()
	if err != nil {
		return Video{}, invalid("video %q: %v", w.ID, err)
	}
	return v, nil
}

func (w videoInJSON) video() (Video, error) {
	var v Video
	var err error
	if w.Type != TypeVideo {
		return v, fmt.Errorf("type %q is not Video", w.Type)
	}
	if err := checkID(w.ID); err != nil {
		return v, fmt.Errorf("id: %w", err)
	}
	v.ID = w.ID
	if w.Name == nil {
		return v, errors.New("no name")
	}
	if n := utf8.RuneCountInString(*w.Name); n < 3 || n > 120 {
		return v, fmt.Errorf("name of %d characters, not 3 to 120", n)
	}
	v.Name = *w.Name
	if w.UUID == nil || !validUUID(*w.UUID) {
		return v, fmt.Errorf("uuid %q is not a UUID", deref(w.UUID))
	}
	v.UUID = strings.ToLower(*w.UUID)
	if w.Duration == nil {
		return v, errors.New("no duration")
	}
	if v.Duration, err = ParseDuration(*w.Duration); err != nil {
		return v, err
	}
	if err := json.Unmarshal(orNullRaw(w.Views), &v.Views); err != nil || len(w.Views) == 0 || isNull(w.Views) || v.Views < 0 {
		return v, fmt.Errorf("views %s is not a count", w.Views)
	}
	if w.Published == nil || w.Updated == nil {
		return v, errors.New("published and updated are required")
	}
	if v.Published, err = parseTime(*w.Published); err != nil {
		return v, fmt.Errorf("published: %w", err)
	}
	if v.Updated, err = parseTime(*w.Updated); err != nil {
		return v, fmt.Errorf("updated: %w", err)
	}
	if w.OriginallyPublishedAt != nil {
		if v.OriginallyPublished, err = parseTime(*w.OriginallyPublishedAt); err != nil {
			return v, fmt.Errorf("originallyPublishedAt: %w", err)
		}
	}
	if w.Content != nil {
		mt := deref(w.MediaType)
		if mt != mediaMarkdown && mt != mediaHTML {
			return v, fmt.Errorf("content of media type %q, not text/markdown nor text/html", mt)
		}
		v.Description, v.DescriptionType = *w.Content, mt
	}
	if err := w.vocabularies(&v); err != nil {
		return v, err
	}
	w.options(&v)
	if err := w.attribution(&v); err != nil {
		return v, err
	}
	if v.Icon, err = largestIcon(w.Icon); err != nil {
		return v, err
	}
	if err := w.links(&v); err != nil {
		return v, err
	}
	v.Tags = hashtags(w.Tag)
	v.Captions = captions(w.SubtitleLanguage)
	v.Support = deref(w.Support)
	v.LikesURL, v.Likes = collectionRef(w.Likes)
	v.DislikesURL, v.Dislikes = collectionRef(w.Dislikes)
	v.SharesURL, _ = collectionRef(w.Shares)
	v.CommentsURL, _ = collectionRef(w.Comments)
	if v.To, err = iris(w.To); err != nil {
		return v, fmt.Errorf("to: %w", err)
	}
	if v.CC, err = iris(w.CC); err != nil {
		return v, fmt.Errorf("cc: %w", err)
	}
	v.Privacy = PrivacyOf(v.To, v.CC)
	return v, nil
}

func orNullRaw(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}

// vocabularies checks category (a number), licence (a number or an SPDX
// id) and language (any string), as PeerTube does.
func (w videoInJSON) vocabularies(v *Video) error {
	for _, f := range []struct {
		name  string
		in    *identifiedInJSON
		out   *Identified
		valid func(string) bool
	}{
		{"category", w.Category, &v.Category, isDigits},
		{"licence", w.Licence, &v.Licence, isSPDX},
		{"language", w.Language, &v.Language, func(s string) bool { return s != "" && len(s) <= 20 }},
	} {
		if f.in == nil {
			continue
		}
		// PeerTube sends identifiers as strings; older senders sent
		// numbers.
		var id string
		if json.Unmarshal(f.in.Identifier, &id) != nil {
			var n json.Number
			if json.Unmarshal(f.in.Identifier, &n) != nil {
				return fmt.Errorf("%s identifier %s is neither a string nor a number", f.name, f.in.Identifier)
			}
			id = n.String()
		}
		if !f.valid(id) {
			return fmt.Errorf("%s identifier %q is not valid", f.name, id)
		}
		*f.out = Identified{Identifier: id, Name: f.in.Name}
	}
	return nil
}

func isDigits(s string) bool {
	return s != "" && len(s) <= 9 && strings.Trim(s, "0123456789") == ""
}

func isSPDX(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+') {
			return false
		}
	}
	return true
}

// options reads the flags, each falling back to PeerTube's default when
// missing or of the wrong type.
func (w videoInJSON) options(v *Video) {
	v.Sensitive = boolOr(w.Sensitive, false)
	v.WaitTranscoding = boolOr(w.WaitTranscoding, false)
	v.DownloadEnabled = boolOr(w.DownloadEnabled, true)
	v.State = 1
	var state int
	if json.Unmarshal(orNullRaw(w.State), &state) == nil && state > 0 {
		v.State = state
	}
	v.CommentsPolicy = CommentsDisabled
	var policy int
	switch {
	case json.Unmarshal(orNullRaw(w.CommentsPolicy), &policy) == nil && policy >= 1 && policy <= 3:
		v.CommentsPolicy = CommentsPolicy(policy)
	case boolOr(w.CommentsEnabled, false):
		// A sender older than commentsPolicy.
		v.CommentsPolicy = CommentsEnabled
	}
}

func boolOr(raw json.RawMessage, def bool) bool {
	var b bool
	if len(raw) == 0 || json.Unmarshal(raw, &b) != nil || isNull(raw) {
		return def
	}
	return b
}

// attribution reads attributedTo: URLs, or objects with a type and an id,
// all on the video's server.
func (w videoInJSON) attribution(v *Video) error {
	if len(w.AttributedTo) == 0 || isNull(w.AttributedTo) {
		return errors.New("no attributedTo")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(w.AttributedTo, &items); err != nil {
		items = []json.RawMessage{w.AttributedTo}
	}
	var untyped []string
	for _, item := range items {
		id, err := reference(item)
		if err != nil {
			return fmt.Errorf("attributedTo: %w", err)
		}
		if err := checkID(id); err != nil {
			return fmt.Errorf("attributedTo: %w", err)
		}
		if !SameOrigin(id, v.ID) {
			return fmt.Errorf("attributedTo %q is not on the video's server", id)
		}
		v.AttributedTo = append(v.AttributedTo, id)
		var o struct {
			Type string `json:"type"`
		}
		if isObject(item) && json.Unmarshal(item, &o) == nil && o.Type != "" {
			switch {
			case o.Type == TypePerson && v.Account == "":
				v.Account = id
			case o.Type == TypeGroup && v.Channel == "":
				v.Channel = id
			}
			continue
		}
		untyped = append(untyped, id)
	}
	if len(v.AttributedTo) == 0 {
		return errors.New("attributedTo is empty")
	}
	if v.Account == "" && len(untyped) > 0 {
		v.Account, untyped = untyped[0], untyped[1:]
	}
	if v.Channel == "" && len(untyped) > 0 {
		v.Channel = untyped[0]
	}
	return nil
}

// largestIcon keeps the valid pictures and returns the largest; PeerTube
// refuses a video with none.
func largestIcon(items []json.RawMessage) (Image, error) {
	var best Image
	for _, item := range items {
		var img imageJSON
		if json.Unmarshal(item, &img) != nil || checkURL(img.URL) != nil || img.Width < 0 || img.Height < 0 {
			continue
		}
		switch img.MediaType {
		case "image/jpeg", "image/png", "image/webp":
		default:
			continue
		}
		if best.URL == "" || img.Width*img.Height > best.Width*best.Height {
			best = Image{URL: img.URL, MediaType: img.MediaType, Width: img.Width, Height: img.Height}
		}
	}
	if best.URL == "" {
		return Image{}, errors.New("no valid icon")
	}
	return best, nil
}

// hashtags reads the names of the Hashtags of tag[], as PeerTube keeps
// them: 2 to 30 characters, at most maxTags.
func hashtags(items []json.RawMessage) []string {
	var out []string
	for _, item := range items {
		var t tagJSON
		if json.Unmarshal(item, &t) != nil || t.Type != "Hashtag" {
			continue
		}
		name := strings.TrimPrefix(t.Name, "#")
		if n := utf8.RuneCountInString(name); n < 2 || n > 30 {
			continue
		}
		out = append(out, name)
		if len(out) == maxTags {
			break
		}
	}
	return out
}

// captions reads subtitleLanguage[]: its url is an array of Links today,
// a plain string in older PeerTube.
func captions(items []json.RawMessage) []Caption {
	var out []Caption
	for _, item := range items {
		var c struct {
			Identifier             string          `json:"identifier"`
			Name                   string          `json:"name"`
			AutomaticallyGenerated bool            `json:"automaticallyGenerated"`
			URL                    json.RawMessage `json:"url"`
		}
		if json.Unmarshal(item, &c) != nil || c.Identifier == "" || len(c.Identifier) > 20 {
			continue
		}
		tr := Caption{Language: Identified{Identifier: c.Identifier, Name: c.Name}, Automatic: c.AutomaticallyGenerated}
		var s string
		var links []linkInJSON
		switch {
		case json.Unmarshal(c.URL, &s) == nil:
			tr.URL = s
		case json.Unmarshal(c.URL, &links) == nil:
			for _, l := range links {
				switch l.MediaType {
				case mediaVTT:
					tr.URL = l.Href
				case mediaHLS:
					if checkURL(l.Href) == nil {
						tr.PlaylistURL = l.Href
					}
				}
			}
		}
		if checkURL(tr.URL) != nil {
			continue
		}
		out = append(out, tr)
		if len(out) == maxCaptions {
			break
		}
	}
	return out
}

// collectionRef reads a collection given as its URL or embedded with its
// totalItems.
func collectionRef(raw json.RawMessage) (string, int) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if checkURL(s) != nil {
			return "", 0
		}
		return s, 0
	}
	var c struct {
		ID         string `json:"id"`
		TotalItems int    `json:"totalItems"`
	}
	if !isObject(raw) || json.Unmarshal(raw, &c) != nil || c.TotalItems < 0 {
		return "", 0
	}
	if checkURL(c.ID) != nil {
		c.ID = ""
	}
	return c.ID, c.TotalItems
}

// validUUID accepts the canonical 8-4-4-4-12 hex form only.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}
