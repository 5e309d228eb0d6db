package activitypub

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/media"
	"cuttle.video/server/vocab"
)

// actorJSON has PeerTube's keys, in its order.
type actorJSON struct {
	Context           []any         `json:"@context"`
	Type              actors.Kind   `json:"type"`
	ID                string        `json:"id"`
	Following         string        `json:"following"`
	Followers         string        `json:"followers"`
	Playlists         string        `json:"playlists"`
	Inbox             string        `json:"inbox"`
	Outbox            string        `json:"outbox"`
	PreferredUsername string        `json:"preferredUsername"`
	URL               string        `json:"url"`
	Name              string        `json:"name"`
	Endpoints         endpointsJSON `json:"endpoints"`
	PublicKey         publicKeyJSON `json:"publicKey"`
	Published         string        `json:"published"`
	Icon              []imageJSON   `json:"icon,omitempty"`
	Image             []imageJSON   `json:"image,omitempty"`
	Summary           *string       `json:"summary"`
	Support           *string       `json:"support,omitempty"`
	// AttributedTo names a channel's owner.
	AttributedTo []attributionJSON `json:"attributedTo,omitempty"`
}

type endpointsJSON struct {
	SharedInbox string `json:"sharedInbox"`
}

type publicKeyJSON struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPEM string `json:"publicKeyPem"`
}

type imageJSON struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType"`
	Height    int    `json:"height"`
	Width     int    `json:"width"`
	URL       string `json:"url"`
}

type attributionJSON struct {
	Type actors.Kind `json:"type"`
	ID   string      `json:"id"`
}

// isoTime is a time as JavaScript's toISOString writes it, as PeerTube
// sends it.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// images lists a picture's sizes, largest first; none when it has none.
func (s *face) images(p media.Picture, pic database.Picture) []imageJSON {
	if pic.Name == "" {
		return nil
	}
	var out []imageJSON
	for _, sz := range p.Sizes {
		out = append(out, imageJSON{Type: "Image", MediaType: "image/jpeg", Height: sz.Height, Width: sz.Width,
			URL: s.Actors.PublicURL() + p.Path(pic.Name, sz)})
	}
	return out
}

func (s *face) actorDocument(ctx context.Context, a actors.Actor) (actorJSON, error) {
	key, err := s.Actors.Key(ctx, a)
	if err != nil {
		return actorJSON{}, err
	}
	doc := actorJSON{
		Context: vocab.ActorContext(), Type: a.Kind, ID: a.ID,
		Following: a.Following(), Followers: a.Followers(), Playlists: a.Playlists(), Inbox: a.Inbox(), Outbox: a.Outbox(),
		PreferredUsername: a.Name, URL: a.ID, Name: a.Name,
		Endpoints: endpointsJSON{SharedInbox: s.Actors.SharedInbox()},
		PublicKey: publicKeyJSON{ID: a.KeyID(), Owner: a.ID, PublicKeyPEM: key.PublicPEM},
		// The instance has no row of its own: it was born with its key.
		Published: isoTime(key.CreatedAt),
	}
	switch {
	case a.Account != nil:
		acc := a.Account
		doc.Name, doc.Published, doc.Summary = acc.DisplayName, isoTime(acc.CreatedAt), orNull(acc.Description)
		doc.Icon = s.images(media.Avatar, acc.Avatar)
	case a.Channel != nil:
		ch := a.Channel
		doc.Name, doc.Published, doc.Summary, doc.Support = ch.DisplayName, isoTime(ch.CreatedAt), orNull(ch.Description), orNull(ch.Support)
		doc.Icon, doc.Image = s.images(media.Avatar, ch.Avatar), s.images(media.Banner, ch.Banner)
		if ch.Account != nil {
			doc.AttributedTo = []attributionJSON{{Type: actors.Person, ID: s.Actors.AccountActor(ch.Account).ID}}
		}
	}
	return doc, nil
}

// negotiate answers browsers, and whatever does not ask for ActivityPub,
// with a redirect to page; it says whether the request is the face's.
func negotiate(c *gin.Context, page string) bool {
	c.Header("Vary", "Accept")
	if actors.AcceptsActivityPub(c.GetHeader("Accept")) {
		return true
	}
	c.Redirect(http.StatusFound, page)
	c.Abort()
	return false
}

func (s *face) account(c *gin.Context) {
	name := c.Param("name")
	page := "/a/" + url.PathEscape(name)
	if n, _, _ := strings.Cut(name, "@"); strings.EqualFold(n, s.Actors.Instance().Name) {
		// The instance's page is the home page.
		page = "/"
	}
	if !negotiate(c, page) {
		return
	}
	a, err := s.Actors.Account(c.Request.Context(), name)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.writeActor(c, a)
}

func (s *face) channel(c *gin.Context) {
	name := c.Param("name")
	if !negotiate(c, "/c/"+url.PathEscape(name)) {
		return
	}
	a, err := s.Actors.Channel(c.Request.Context(), name)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.writeActor(c, a)
}

func (s *face) writeActor(c *gin.Context, a actors.Actor) {
	doc, err := s.actorDocument(c.Request.Context(), a)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	writeJSON(c, actors.ContentType+"; charset=utf-8", doc)
}
