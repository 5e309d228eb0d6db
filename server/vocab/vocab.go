// Package vocab is the ActivityStreams vocabulary Cuttle speaks with
// PeerTube and the rest of the Fediverse: the media types, the activity and
// object types, the JSON-LD contexts we send, builders of what we send and
// strict parsers of what we receive. It does no I/O: callers bound and
// fetch the bytes, sign and deliver the documents.
//
// Parsers refuse rather than repair: an identifier that is not an absolute
// http(s) URL, or that hides userinfo or a fragment where an object id must
// not have one, is an error, because every check downstream (who may create
// what, where to deliver) trusts these URLs.
package vocab

import (
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
)

// Media types of ActivityPub documents.
const (
	// ContentType is what we send documents as, and what PeerTube sends.
	ContentType = "application/activity+json"
	// ContentTypeLD is the JSON-LD form the ActivityPub specification names.
	ContentTypeLD = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
	// AcceptHeader is the Accept header of our fetches, PeerTube's.
	AcceptHeader = "application/activity+json, application/ld+json"
)

// IsContentType reports whether a Content-Type or Accept entry names an
// ActivityPub document: activity+json, or ld+json with no profile or the
// ActivityStreams one.
func IsContentType(value string) bool {
	mt, params, err := mime.ParseMediaType(value)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		p, ok := params["profile"]
		return !ok || p == asNamespace
	}
	return false
}

const asNamespace = "https://www.w3.org/ns/activitystreams"

// Public is the collection of everyone, the audience of public objects.
const Public = asNamespace + "#Public"

// isPublic accepts the compacted forms of Public that JSON-LD allows and
// some servers send.
func isPublic(iri string) bool {
	return iri == Public || iri == "Public" || iri == "as:Public"
}

// Activity types PeerTube processes.
const (
	TypeCreate   = "Create"
	TypeUpdate   = "Update"
	TypeDelete   = "Delete"
	TypeFollow   = "Follow"
	TypeAccept   = "Accept"
	TypeReject   = "Reject"
	TypeUndo     = "Undo"
	TypeAnnounce = "Announce"
	TypeLike     = "Like"
	TypeDislike  = "Dislike"
	TypeView     = "View"
	TypeFlag     = "Flag"
)

// Object and actor types.
const (
	TypeVideo        = "Video"
	TypeNote         = "Note"
	TypeTombstone    = "Tombstone"
	TypePerson       = "Person"
	TypeGroup        = "Group"
	TypeApplication  = "Application"
	TypeService      = "Service"
	TypeOrganization = "Organization"

	TypeCollection            = "Collection"
	TypeCollectionPage        = "CollectionPage"
	TypeOrderedCollection     = "OrderedCollection"
	TypeOrderedCollectionPage = "OrderedCollectionPage"
)

// ErrInvalid wraps every refusal of a parser, so callers can tell a bad
// document (drop it, answer 400) from their own failures.
var ErrInvalid = errors.New("vocab: invalid document")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// maxURLLen bounds any URL we accept; PeerTube's own are far shorter, and
// a longer one is only a way to make us store junk.
const maxURLLen = 2048

// parseHTTPURL checks that s is an absolute http(s) URL with a host and no
// userinfo, the only kind of URL a document may point us at.
func parseHTTPURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("empty URL")
	}
	if len(s) > maxURLLen {
		return nil, fmt.Errorf("URL longer than %d bytes", maxURLLen)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("URL %q: %w", s, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("URL %q: scheme is not http(s)", s)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("URL %q: no host", s)
	}
	if u.User != nil {
		// https://a.example@b.example/ reads as a.example to a person and
		// is b.example to a client: never let a document say that.
		return nil, fmt.Errorf("URL %q: userinfo is not allowed", s)
	}
	return u, nil
}

// checkID checks an object or activity id: an http(s) URL without a
// fragment, since a fragment names a part of a document, not a document we
// could fetch or store.
func checkID(s string) error {
	u, err := parseHTTPURL(s)
	if err != nil {
		return err
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return fmt.Errorf("id %q has a fragment", s)
	}
	return nil
}

// checkURL checks a link that may carry a fragment (a key id, say).
func checkURL(s string) error {
	_, err := parseHTTPURL(s)
	return err
}

// SameOrigin reports whether two URLs have the same scheme, host and port,
// the host compared without case and a missing port read as the scheme's
// default. It is the rule that keeps an actor of one server from speaking
// for objects of another. A URL that does not parse as http(s), or carries
// userinfo, has no origin and matches nothing.
func SameOrigin(a, b string) bool {
	oa, ok := origin(a)
	if !ok {
		return false
	}
	ob, ok := origin(b)
	return ok && oa == ob
}

// Origin returns scheme://host[:port] of an http(s) URL, normalised as
// SameOrigin compares it (default ports dropped, host lower-cased).
func Origin(s string) (string, bool) { return origin(s) }

func origin(s string) (string, bool) {
	u, err := parseHTTPURL(s)
	if err != nil {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, true
}
