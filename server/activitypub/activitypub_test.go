package activitypub_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"cuttle.video/server/config"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/servertest"
)

const (
	apJSON   = "application/activity+json"
	asLDJSON = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
	browser  = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
)

// get asks path with an Accept header.
func get(c *servertest.Client, path, accept string) *servertest.Response {
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	return c.Raw("GET", path, nil, h)
}

func host(t *testing.T, s *servertest.Server) string {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

type jrd struct {
	Subject string   `json:"subject"`
	Aliases []string `json:"aliases"`
	Links   []struct {
		Rel, Type, Href, Template string
	} `json:"links"`
}

// WebFinger finds accounts, channels and the instance by handle or by
// URL, and refuses what names nobody here or is no handle at all.
func TestWebFinger(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	user := s.NewUser(t, 2, -1)
	anon := s.Anonymous(t)
	h := host(t, s)
	channel := user.Username + "_channel"
	for _, tc := range []struct {
		resource, actor string
	}{
		{"acct:" + user.Username + "@" + h, "/accounts/" + user.Username},
		{"acct:" + strings.ToUpper(user.Username) + "@" + strings.ToUpper(h), "/accounts/" + user.Username},
		{"acct:root@" + h, "/accounts/root"},
		{"acct:" + channel + "@" + h, "/video-channels/" + channel},
		{"acct:peertube@" + h, "/accounts/peertube"},
		{s.URL + "/accounts/" + user.Username, "/accounts/" + user.Username},
		{s.URL + "/video-channels/" + channel, "/video-channels/" + channel},
		{s.URL + "/accounts/peertube", "/accounts/peertube"},
	} {
		res := anon.Do("GET", "/.well-known/webfinger?resource="+url.QueryEscape(tc.resource), nil).Expect(http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/jrd+json") {
			t.Errorf("%s: content type %q", tc.resource, ct)
		}
		var got jrd
		res.JSON(&got)
		want := s.URL + tc.actor
		if got.Subject != tc.resource || len(got.Aliases) != 1 || got.Aliases[0] != want || len(got.Links) != 2 ||
			got.Links[0].Rel != "self" || got.Links[0].Type != apJSON || got.Links[0].Href != want ||
			got.Links[1].Rel != "http://ostatus.org/schema/1.0/subscribe" || got.Links[1].Template != s.URL+"/remote-interaction?uri={uri}" {
			t.Errorf("%s: %s", tc.resource, res.Body)
		}
	}
	for _, tc := range []struct {
		resource string
		status   int
	}{
		{"acct:nobody@" + h, http.StatusNotFound},
		{"acct:" + user.Username + "@other.example", http.StatusNotFound},
		{"acct:peertube@other.example", http.StatusNotFound},
		{"acct:" + user.Username + "@" + h + "0", http.StatusNotFound},
		{"https://other.example/accounts/" + user.Username, http.StatusNotFound},
		{s.URL + "/video-channels/" + user.Username, http.StatusNotFound},
		{s.URL + "/videos/watch/1", http.StatusNotFound},
		{"", http.StatusBadRequest},
		{user.Username + "@" + h, http.StatusBadRequest},
		{"acct:", http.StatusBadRequest},
		{"acct:@" + h, http.StatusBadRequest},
		{"acct:" + user.Username + "@", http.StatusBadRequest},
		{"acct:" + user.Username, http.StatusBadRequest},
		{"acct:a@b@" + h, http.StatusBadRequest},
		{"acct:../accounts/x@" + h, http.StatusBadRequest},
		{"ftp://" + h + "/accounts/" + user.Username, http.StatusBadRequest},
		{"https://user:pw@" + h + "/accounts/root", http.StatusBadRequest},
		{"acct:" + strings.Repeat("a", 5000) + "@" + h, http.StatusBadRequest},
		{"%zz", http.StatusBadRequest},
	} {
		anon.Do("GET", "/.well-known/webfinger?resource="+url.QueryEscape(tc.resource), nil).Problem(tc.status)
	}
	anon.Do("GET", "/.well-known/webfinger", nil).Problem(http.StatusBadRequest)
}

// host-meta points to WebFinger; NodeInfo names the software, its
// protocol and the instance's real counts.
func TestHostMetaAndNodeInfo(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, func(c *config.Config) { c.Signup.Enabled = true })
	s.NewUser(t, 2, -1)
	s.NewUser(t, 2, -1)
	anon := s.Anonymous(t)

	res := anon.Do("GET", "/.well-known/host-meta", nil).Expect(http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xrd+xml") {
		t.Errorf("host-meta content type %q", ct)
	}
	var xrd struct {
		XMLName xml.Name
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			Type     string `xml:"type,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Link"`
	}
	if err := xml.Unmarshal(res.Body, &xrd); err != nil {
		t.Fatalf("host-meta %s: %v", res.Body, err)
	}
	if xrd.XMLName.Space != "http://docs.oasis-open.org/ns/xri/xrd-1.0" || xrd.XMLName.Local != "XRD" || len(xrd.Links) != 1 ||
		xrd.Links[0].Rel != "lrdd" || xrd.Links[0].Template != s.URL+"/.well-known/webfinger?resource={uri}" {
		t.Errorf("host-meta: %s", res.Body)
	}

	var links struct {
		Links []struct{ Rel, Href string } `json:"links"`
	}
	anon.Do("GET", "/.well-known/nodeinfo", nil).Expect(http.StatusOK).JSON(&links)
	if len(links.Links) != 2 ||
		links.Links[0].Rel != "http://nodeinfo.diaspora.software/ns/schema/2.0" || links.Links[0].Href != s.URL+"/nodeinfo/2.0.json" ||
		links.Links[1].Rel != "https://www.w3.org/ns/activitystreams#Application" || links.Links[1].Href != s.URL+"/accounts/peertube" {
		t.Errorf("nodeinfo links: %+v", links)
	}

	var info struct {
		Version  string `json:"version"`
		Software struct {
			Name, Version string
		} `json:"software"`
		Protocols         []string `json:"protocols"`
		OpenRegistrations bool     `json:"openRegistrations"`
		Usage             struct {
			Users struct {
				Total int `json:"total"`
			} `json:"users"`
			LocalPosts    *int `json:"localPosts"`
			LocalComments *int `json:"localComments"`
		} `json:"usage"`
		Metadata struct {
			NodeName string `json:"nodeName"`
		} `json:"metadata"`
	}
	res = anon.Do("GET", "/nodeinfo/2.0.json", nil).Expect(http.StatusOK).JSON(&info)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("nodeinfo content type %q", ct)
	}
	// root and the two users.
	if info.Version != "2.0" || info.Software.Name != "cuttle" || info.Software.Version == "" ||
		len(info.Protocols) != 1 || info.Protocols[0] != "activitypub" || !info.OpenRegistrations ||
		info.Usage.Users.Total != 3 || info.Usage.LocalPosts == nil || *info.Usage.LocalPosts != 0 ||
		info.Usage.LocalComments == nil || *info.Usage.LocalComments != 0 || info.Metadata.NodeName != "Cuttle" {
		t.Errorf("nodeinfo: %s", res.Body)
	}
	for _, path := range []string{"/nodeinfo/2.1.json", "/nodeinfo/2.0", "/nodeinfo/1.0.json", "/nodeinfo/..%2F2.0.json"} {
		anon.Do("GET", path, nil).Expect(http.StatusNotFound)
	}
}

type actorDoc struct {
	Context           []json.RawMessage `json:"@context"`
	Type              string            `json:"type"`
	ID                string            `json:"id"`
	Following         string            `json:"following"`
	Followers         string            `json:"followers"`
	Playlists         string            `json:"playlists"`
	Inbox             string            `json:"inbox"`
	Outbox            string            `json:"outbox"`
	PreferredUsername string            `json:"preferredUsername"`
	URL               string            `json:"url"`
	Name              string            `json:"name"`
	Endpoints         struct {
		SharedInbox string `json:"sharedInbox"`
	} `json:"endpoints"`
	PublicKey struct {
		ID           string `json:"id"`
		Owner        string `json:"owner"`
		PublicKeyPEM string `json:"publicKeyPem"`
	} `json:"publicKey"`
	Published    string  `json:"published"`
	Summary      *string `json:"summary"`
	AttributedTo []struct {
		Type, ID string
	} `json:"attributedTo"`
	Icon  []pictureDoc `json:"icon"`
	Image []pictureDoc `json:"image"`
}

type pictureDoc struct {
	Type, MediaType, URL string
	Width, Height        int
}

// fetchActor gets the actor at path as a remote server would, and checks
// what every actor document holds.
func fetchActor(t *testing.T, s *servertest.Server, path, kind, name string) actorDoc {
	t.Helper()
	res := get(s.Anonymous(t), path, apJSON).Expect(http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "application/activity+json; charset=utf-8" {
		t.Errorf("%s: content type %q", path, ct)
	}
	var doc actorDoc
	res.JSON(&doc)
	id := s.URL + path
	if doc.Type != kind || doc.ID != id || doc.URL != id || doc.PreferredUsername != name ||
		doc.Inbox != id+"/inbox" || doc.Outbox != id+"/outbox" || doc.Followers != id+"/followers" ||
		doc.Following != id+"/following" || doc.Playlists != id+"/playlists" ||
		doc.Endpoints.SharedInbox != s.URL+"/inbox" || doc.PublicKey.ID != id+"#main-key" || doc.PublicKey.Owner != id ||
		len(doc.Published) != len("2006-01-02T15:04:05.000Z") {
		t.Errorf("%s: %s", path, res.Body)
	}
	if len(doc.Context) < 3 || string(doc.Context[0]) != `"https://www.w3.org/ns/activitystreams"` ||
		string(doc.Context[1]) != `"https://w3id.org/security/v1"` || !bytes.Contains(res.Body, []byte(`"pt":"https://joinpeertube.org/ns#"`)) {
		t.Errorf("%s: @context %s", path, res.Body)
	}
	if _, err := httpsig.ParsePublicKeyPEM(doc.PublicKey.PublicKeyPEM); err != nil {
		t.Errorf("%s: publicKeyPem: %v", path, err)
	}
	return doc
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Accounts are Persons, channels Groups owned by their account, the
// instance the Application "peertube"; each publishes its pictures and a
// key made once, kept across restarts.
func TestActorDocuments(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		user := s.NewUser(t, 2, -1)
		channel := user.Username + "_channel"
		pic := pngOf(t, 300, 300)
		user.Multipart("/api/v1/users/me/avatar/pick", nil, "avatarfile", "a.png", bytes.NewReader(pic)).Expect(http.StatusOK)
		user.Multipart("/api/v1/video-channels/"+channel+"/banner/pick", nil, "bannerfile", "b.png", bytes.NewReader(pngOf(t, 1200, 200))).Expect(http.StatusOK)

		person := fetchActor(t, s, "/accounts/"+user.Username, "Person", user.Username)
		if len(person.Icon) != 4 || person.Icon[0].Width != 1500 || person.Icon[0].Type != "Image" || person.Icon[0].MediaType != "image/jpeg" ||
			!strings.HasPrefix(person.Icon[0].URL, s.URL+"/lazy-static/avatars/") || len(person.Image) != 0 {
			t.Errorf("person's pictures: %+v %+v", person.Icon, person.Image)
		}
		s.Anonymous(t).Do("GET", strings.TrimPrefix(person.Icon[0].URL, s.URL), nil).Expect(http.StatusOK)

		group := fetchActor(t, s, "/video-channels/"+channel, "Group", channel)
		if len(group.AttributedTo) != 1 || group.AttributedTo[0].Type != "Person" || group.AttributedTo[0].ID != person.ID ||
			len(group.Icon) != 0 || len(group.Image) != 2 || group.Image[0].Width != 1920 || group.Image[0].Height != 317 {
			t.Errorf("group: owner %+v, icon %+v, image %+v", group.AttributedTo, group.Icon, group.Image)
		}
		if group.Name != "Main "+user.Username+" channel" || group.PublicKey.PublicKeyPEM == person.PublicKey.PublicKeyPEM {
			t.Errorf("group: name %q, shares the account's key: %v", group.Name, group.PublicKey.PublicKeyPEM == person.PublicKey.PublicKeyPEM)
		}

		app := fetchActor(t, s, "/accounts/peertube", "Application", "peertube")
		if again := fetchActor(t, s, "/accounts/peertube", "Application", "peertube"); again.PublicKey.PublicKeyPEM != app.PublicKey.PublicKeyPEM {
			t.Error("the instance's key changed between two requests")
		}

		s.Restart(t)
		for path, before := range map[string]string{
			"/accounts/" + user.Username: person.PublicKey.PublicKeyPEM,
			"/video-channels/" + channel: group.PublicKey.PublicKeyPEM,
			"/accounts/peertube":         app.PublicKey.PublicKeyPEM,
		} {
			kind, name := "Person", user.Username
			if strings.HasPrefix(path, "/video-channels/") {
				kind, name = "Group", channel
			} else if path == "/accounts/peertube" {
				kind, name = "Application", "peertube"
			}
			if after := fetchActor(t, s, path, kind, name); after.PublicKey.PublicKeyPEM != before {
				t.Errorf("%s: the key changed across a restart", path)
			}
		}
		get(s.Anonymous(t), "/accounts/nobody", apJSON).Problem(http.StatusNotFound)
		get(s.Anonymous(t), "/video-channels/nobody", apJSON).Problem(http.StatusNotFound)
		get(s.Anonymous(t), "/accounts/"+user.Username+"@other.example", apJSON).Problem(http.StatusNotFound)
	})
}

// Two servers fetching a new actor at once get the same key: the one
// stored first.
func TestConcurrentFirstFetchesShareOneKey(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		user := s.NewUser(t, 2, -1)
		const fetchers = 4
		pems := make([]string, fetchers)
		var wg sync.WaitGroup
		for i := range fetchers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var doc actorDoc
				res := get(s.Anonymous(t), "/accounts/"+user.Username, apJSON)
				if res.StatusCode != http.StatusOK || json.Unmarshal(res.Body, &doc) != nil {
					t.Errorf("fetch %d: %d %s", i, res.StatusCode, res.Body)
					return
				}
				pems[i] = doc.PublicKey.PublicKeyPEM
			}()
		}
		wg.Wait()
		for i := range pems {
			if pems[i] == "" || pems[i] != pems[0] {
				t.Fatalf("concurrent first fetches saw different keys")
			}
		}
	})
}

// What asks for ActivityPub gets the actor; browsers, and clients that
// ask for nothing in particular, the page, wherever they start.
func TestContentNegotiation(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	user := s.NewUser(t, 2, -1)
	channel := user.Username + "_channel"
	anon := s.Anonymous(t)
	const page, actor = "text/html", "application/activity+json"
	for _, tc := range []struct {
		path, accept string
		status       int
		// location is where a redirect goes; contentType what a 200 is.
		location, contentType string
	}{
		{"/accounts/" + user.Username, browser, http.StatusFound, "/a/" + user.Username, ""},
		{"/accounts/" + user.Username, "", http.StatusFound, "/a/" + user.Username, ""},
		{"/accounts/" + user.Username, "*/*", http.StatusFound, "/a/" + user.Username, ""},
		{"/accounts/" + user.Username, "application/json", http.StatusFound, "/a/" + user.Username, ""},
		{"/accounts/" + user.Username, apJSON + ";q=0", http.StatusFound, "/a/" + user.Username, ""},
		{"/accounts/peertube", browser, http.StatusFound, "/", ""},
		{"/video-channels/" + channel, browser, http.StatusFound, "/c/" + channel, ""},
		{"/accounts/" + user.Username, apJSON, http.StatusOK, "", actor},
		{"/accounts/" + user.Username, asLDJSON, http.StatusOK, "", actor},
		{"/accounts/" + user.Username, "application/ld+json", http.StatusOK, "", actor},
		{"/video-channels/" + channel, apJSON + ", " + asLDJSON, http.StatusOK, "", actor},
		{"/a/" + user.Username, apJSON, http.StatusFound, s.URL + "/accounts/" + user.Username, ""},
		{"/a/" + user.Username, asLDJSON, http.StatusFound, s.URL + "/accounts/" + user.Username, ""},
		{"/c/" + channel, apJSON, http.StatusFound, s.URL + "/video-channels/" + channel, ""},
		{"/a/" + user.Username, browser, http.StatusOK, "", page},
		{"/c/" + channel, browser, http.StatusOK, "", page},
	} {
		res := get(anon, tc.path, tc.accept)
		ct := res.Header.Get("Content-Type")
		if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location || !strings.HasPrefix(ct, tc.contentType) {
			t.Errorf("%s (Accept %q): %d to %q as %q, want %d to %q as %q", tc.path, tc.accept,
				res.StatusCode, res.Header.Get("Location"), ct, tc.status, tc.location, tc.contentType)
		}
		// One URL, two answers by Accept: caches must keep them apart.
		if !slices.Contains(strings.Split(strings.ReplaceAll(strings.Join(res.Header.Values("Vary"), ","), " ", ""), ","), "Accept") {
			t.Errorf("%s (Accept %q): Vary %q lacks Accept", tc.path, tc.accept, res.Header.Values("Vary"))
		}
	}
}
