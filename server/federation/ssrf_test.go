package federation_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"cuttle.video/server/config"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/servertest"
)

// tripwire is a listener that counts who connects to it and answers
// nothing: proof that the instance did, or did not, open a connection.
type tripwire struct {
	ln    net.Listener
	conns atomic.Int32
}

func newTripwire(t *testing.T, ip string) *tripwire {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	tw := &tripwire{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tw.conns.Add(1)
			c.Close()
		}
	}()
	return tw
}

func (tw *tripwire) addr() string { return tw.ln.Addr().String() }

func (tw *tripwire) untouched(t *testing.T) {
	t.Helper()
	if n := tw.conns.Load(); n != 0 {
		t.Errorf("the instance opened %d connections to %s", n, tw.addr())
	}
}

// deliverSignedBy posts a Follow of s to its shared inbox, signed with a
// fresh key under keyID: the instance must fetch keyID's actor to check it.
func deliverSignedBy(t *testing.T, s *servertest.Server, keyID string) *servertest.Response {
	t.Helper()
	actor, _, _ := strings.Cut(keyID, "#")
	body, err := json.Marshal(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       actor + "/follows/1", "type": "Follow", "actor": actor, "object": s.URL + "/accounts/peertube",
	})
	if err != nil {
		t.Fatal(err)
	}
	key, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/inbox", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := httpsig.Sign(req, key, keyID, httpsig.SignOptions{}); err != nil {
		t.Fatal(err)
	}
	return s.Anonymous(t).Raw(http.MethodPost, "/inbox", bytes.NewReader(body), req.Header)
}

// refusedDetail checks a refusal says the address was refused, and why.
func refusedDetail(t *testing.T, p servertest.Problem, why string) {
	t.Helper()
	if !strings.Contains(p.Detail, "refused") || !strings.Contains(p.Detail, why) {
		t.Errorf("detail %q does not say the address was refused as %s", p.Detail, why)
	}
}

// An instance reaches only public addresses unless its configuration
// opens others: an admin's follow, or a stranger's key id, naming an
// address on its own network is refused before any connection.
func TestInternalAddressesRefused(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	local := newTripwire(t, "127.0.0.1")

	p := s.Root(t).Do(http.MethodPost, "/api/v1/server/following", map[string]any{"hosts": []string{local.addr()}}).Problem(http.StatusBadRequest)
	refusedDetail(t, p, "loopback")

	for _, tc := range []struct{ keyID, why string }{
		{"https://" + local.addr() + "/accounts/x#main-key", "loopback"},
		{"https://10.0.0.1/accounts/x#main-key", "private"},
		{"https://169.254.169.254/latest/meta-data#main-key", "cloud metadata"},
	} {
		p := deliverSignedBy(t, s, tc.keyID).Problem(http.StatusUnauthorized)
		refusedDetail(t, p, tc.why)
	}
	local.untouched(t)

	// Opening loopback, as tests and private setups do, opens nothing
	// else.
	fed := servertest.Start(t, servertest.SQLite, servertest.Federated)
	for _, tc := range []struct{ keyID, why string }{
		{"http://10.0.0.1/accounts/x#main-key", "private"},
		{"http://169.254.169.254/latest/meta-data#main-key", "cloud metadata"},
	} {
		refusedDetail(t, deliverSignedBy(t, fed, tc.keyID).Problem(http.StatusUnauthorized), tc.why)
	}
}

// A server the instance may reach cannot redirect it to one it may not:
// every hop's address is checked before connecting.
func TestRedirectToRefusedAddress(t *testing.T) {
	target := newTripwire(t, "127.0.0.2")
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+target.addr()+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	// Only the redirector's address is open (and the instance's own, on
	// the same one): the first hop is allowed, the target is not.
	s := servertest.Start(t, servertest.SQLite, func(c *config.Config) {
		c.Federation.AllowHTTP = true
		c.Federation.AllowNetworks = []string{"127.0.0.1/32"}
	})
	p := deliverSignedBy(t, s, redirector.URL+"/accounts/x#main-key").Problem(http.StatusUnauthorized)
	refusedDetail(t, p, "127.0.0.2")
	target.untouched(t)
}
