package activitypub

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/actors"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/version"
)

// maxResource bounds a WebFinger resource: a handle or an actor's URL is
// far shorter.
const maxResource = 1000

// lookup finds the actor a resource names.
type lookup func(s *face, c *gin.Context, name string) (actors.Actor, error)

func byName(s *face, c *gin.Context, name string) (actors.Actor, error) {
	return s.Actors.Named(c.Request.Context(), name)
}

func byAccount(s *face, c *gin.Context, name string) (actors.Actor, error) {
	return s.Actors.Account(c.Request.Context(), name)
}

func byChannel(s *face, c *gin.Context, name string) (actors.Actor, error) {
	return s.Actors.Channel(c.Request.Context(), name)
}

// parseResource reads a WebFinger resource: acct:name@host, or the URL
// of an actor (https://host/accounts/name, /video-channels/name).
func parseResource(r string) (name, host string, find lookup, err error) {
	if r == "" || len(r) > maxResource {
		return "", "", nil, fmt.Errorf("resource must be acct:name@host or an actor's URL, of at most %d bytes", maxResource)
	}
	if scheme, rest, ok := strings.Cut(r, ":"); ok && strings.EqualFold(scheme, "acct") {
		name, host, ok := strings.Cut(rest, "@")
		if !ok || name == "" || host == "" || strings.ContainsAny(name, "/@?#") || strings.ContainsAny(host, "/@?#") {
			return "", "", nil, fmt.Errorf("resource %q is not acct:name@host", r)
		}
		return name, host, byName, nil
	}
	u, err := url.Parse(r)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", nil, fmt.Errorf("resource %q is neither acct:name@host nor an actor's URL", r)
	}
	for prefix, find := range map[string]lookup{"/accounts/": byAccount, "/video-channels/": byChannel} {
		if name, ok := strings.CutPrefix(u.Path, prefix); ok && name != "" && !strings.ContainsAny(name, "/@") {
			return name, u.Host, find, nil
		}
	}
	// A URL of this shape that names no actor's page names nobody here.
	return "", u.Host, nil, nil
}

type jrdLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

type jrd struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases"`
	Links   []jrdLink `json:"links"`
}

func (s *face) webfinger(c *gin.Context) {
	name, host, find, err := parseResource(c.Query("resource"))
	if err != nil {
		httpserve.Fail(c, problem.BadRequest("%s", err))
		return
	}
	if find == nil || !strings.EqualFold(host, s.Actors.Host()) {
		httpserve.Fail(c, problem.NotFound("actor"))
		return
	}
	a, err := find(s, c, name)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	writeJSON(c, "application/jrd+json; charset=utf-8", jrd{
		Subject: c.Query("resource"),
		Aliases: []string{a.ID},
		Links: []jrdLink{
			{Rel: "self", Type: actors.ContentType, Href: a.ID},
			{Rel: "http://ostatus.org/schema/1.0/subscribe", Template: s.Actors.PublicURL() + "/remote-interaction?uri={uri}"},
		},
	})
}

func (s *face) hostMeta(c *gin.Context) {
	var tmpl bytes.Buffer
	if err := xml.EscapeText(&tmpl, []byte(s.Actors.PublicURL()+"/.well-known/webfinger?resource={uri}")); err != nil {
		httpserve.Fail(c, problem.Internal(err))
		return
	}
	body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">` + "\n" +
		`  <Link rel="lrdd" type="application/xrd+xml" template="` + tmpl.String() + `"/>` + "\n" +
		`</XRD>` + "\n"
	c.Data(http.StatusOK, "application/xrd+xml; charset=utf-8", []byte(body))
}

const nodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/2.0"

func (s *face) nodeInfoLinks(c *gin.Context) {
	writeJSON(c, "application/json; charset=utf-8", gin.H{"links": []jrdLink{
		{Rel: nodeInfoSchema, Href: s.Actors.PublicURL() + "/nodeinfo/2.0.json"},
		{Rel: "https://www.w3.org/ns/activitystreams#Application", Href: s.Actors.Instance().ID},
	}})
}

// nodeInfo is NodeInfo 2.0, the only version served. Usage counts only
// what the instance knows: it does not track users' activity.
type nodeInfo struct {
	Version           string           `json:"version"`
	Software          nodeSoftware     `json:"software"`
	Protocols         []string         `json:"protocols"`
	Services          nodeServices     `json:"services"`
	OpenRegistrations bool             `json:"openRegistrations"`
	Usage             nodeUsage        `json:"usage"`
	Metadata          nodeInfoMetadata `json:"metadata"`
}

type nodeSoftware struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type nodeServices struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

type nodeUsage struct {
	Users         nodeUsers `json:"users"`
	LocalPosts    int       `json:"localPosts"`
	LocalComments int       `json:"localComments"`
}

type nodeUsers struct {
	Total int `json:"total"`
}

type nodeInfoMetadata struct {
	Taxonomy        map[string]string `json:"taxonomy"`
	NodeName        string            `json:"nodeName"`
	NodeDescription string            `json:"nodeDescription"`
}

func (s *face) nodeInfo(c *gin.Context) {
	if c.Param("file") != "2.0.json" {
		httpserve.Fail(c, problem.New(http.StatusNotFound, "only NodeInfo 2.0 is served"))
		return
	}
	ctx := c.Request.Context()
	st, err := s.Instance.Get(ctx)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	counts, err := s.Stats.Get(ctx)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	writeJSON(c, `application/json; profile="`+nodeInfoSchema+`#"; charset=utf-8`, nodeInfo{
		Version:           "2.0",
		Software:          nodeSoftware{Name: "cuttle", Version: version.Number()},
		Protocols:         []string{"activitypub"},
		Services:          nodeServices{Inbound: []string{}, Outbound: []string{}},
		OpenRegistrations: st.SignupEnabled,
		Usage:             nodeUsage{Users: nodeUsers{Total: counts.Users}, LocalPosts: counts.PublicVideos, LocalComments: counts.Comments},
		Metadata: nodeInfoMetadata{
			Taxonomy: map[string]string{"postsName": "Videos"}, NodeName: st.Name, NodeDescription: st.ShortDescription,
		},
	})
}

// writeJSON answers v with the given content type, which gin's JSON
// writers do not let one choose.
func writeJSON(c *gin.Context, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		httpserve.Fail(c, problem.Internal(fmt.Errorf("activitypub: encode answer: %w", err)))
		return
	}
	c.Data(http.StatusOK, contentType, body)
}
