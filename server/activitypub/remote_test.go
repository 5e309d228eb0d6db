package activitypub_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"cuttle.video/server/httpsig"
	"cuttle.video/server/servertest"
)

// fakeRemote is another server of the Fediverse on loopback: it serves
// its actors' documents, with keys the test holds and may change,
// counts how often each is fetched, and keeps what is delivered to it.
type fakeRemote struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	keys     map[string]*rsa.PrivateKey // actor name → its current key
	fetches  map[string]int
	received []string
}

func newFakeRemote(t *testing.T) *fakeRemote {
	t.Helper()
	r := &fakeRemote{t: t, keys: map[string]*rsa.PrivateKey{}, fetches: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// Host is the remote's host:port, as the instance records it.
func (r *fakeRemote) Host() string { return strings.TrimPrefix(r.srv.URL, "http://") }

// Actor is the id of the actor called name.
func (r *fakeRemote) Actor(name string) string { return r.srv.URL + "/users/" + name }

// AddActor gives the remote an actor called name with a new key, which
// it returns; called again, it rotates the key.
func (r *fakeRemote) AddActor(name string) *rsa.PrivateKey {
	r.t.Helper()
	key := newKey(r.t)
	r.mu.Lock()
	r.keys[name] = key
	r.mu.Unlock()
	return key
}

// Fetches is how many times the actor called name was fetched.
func (r *fakeRemote) Fetches(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fetches[name]
}

// Received is what was delivered to the remote's inboxes.
func (r *fakeRemote) Received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.received...)
}

func (r *fakeRemote) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/inbox") {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.received = append(r.received, string(b))
		r.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	name, ok := strings.CutPrefix(req.URL.Path, "/users/")
	r.mu.Lock()
	key := r.keys[name]
	if ok && key != nil {
		r.fetches[name]++
	}
	r.mu.Unlock()
	if !ok || key == nil || req.Method != http.MethodGet {
		http.NotFound(w, req)
		return
	}
	pemText, err := httpsig.EncodePublicKeyPEM(&key.PublicKey)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	id := r.Actor(name)
	w.Header().Set("Content-Type", "application/activity+json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"@context":          []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"type":              "Person",
		"id":                id,
		"preferredUsername": name,
		"name":              name,
		"inbox":             id + "/inbox",
		"outbox":            id + "/outbox",
		"followers":         id + "/followers",
		"endpoints":         map[string]string{"sharedInbox": r.srv.URL + "/inbox"},
		"publicKey":         map[string]string{"id": id + "#main-key", "owner": id, "publicKeyPem": pemText},
	})
}

// newKey makes an actor's RSA key.
func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// follow is a Follow of the instance s by the remote actor called name.
func (r *fakeRemote) follow(s *servertest.Server, name, id string) []byte {
	b, err := json.Marshal(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       r.Actor(name) + "/follows/" + id,
		"type":     "Follow",
		"actor":    r.Actor(name),
		"object":   s.URL + "/accounts/peertube",
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// signed signs a delivery of body to the instance's shared inbox with
// key, naming keyID: the headers to send with body, as many times as a
// test wants.
func signed(t *testing.T, s *servertest.Server, key *rsa.PrivateKey, keyID string, body []byte, opts httpsig.SignOptions) http.Header {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/inbox", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := httpsig.Sign(req, key, keyID, opts); err != nil {
		t.Fatal(err)
	}
	return req.Header
}

// deliver posts body with the headers h to the shared inbox.
func deliver(t *testing.T, s *servertest.Server, body []byte, h http.Header) *servertest.Response {
	t.Helper()
	return s.Anonymous(t).Raw(http.MethodPost, "/inbox", bytes.NewReader(body), h.Clone())
}

// followerHosts lists the hosts of the instance's followers.
func followerHosts(t *testing.T, s *servertest.Server) []string {
	t.Helper()
	var l struct {
		Data []struct {
			State    string `json:"state"`
			Follower struct {
				Name string `json:"name"`
				Host string `json:"host"`
			} `json:"follower"`
		} `json:"data"`
	}
	s.Anonymous(t).Do(http.MethodGet, "/api/v1/server/followers", nil).Expect(http.StatusOK).JSON(&l)
	var out []string
	for _, f := range l.Data {
		out = append(out, fmt.Sprintf("%s@%s:%s", f.Follower.Name, f.Follower.Host, f.State))
	}
	return out
}
