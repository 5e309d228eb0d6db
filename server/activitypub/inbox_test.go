package activitypub_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/servertest"
)

// expectRefusal checks an answer is a problem+json refusal whose detail
// says why, in words containing want.
func expectRefusal(t *testing.T, res *servertest.Response, status int, want string) {
	t.Helper()
	p := res.Problem(status)
	if !strings.Contains(p.Detail, want) {
		t.Errorf("%d detail %q does not say %q", status, p.Detail, want)
	}
}

// waitFollowers waits until the instance's followers are exactly want.
func waitFollowers(t *testing.T, s *servertest.Server, want ...string) {
	t.Helper()
	slices.Sort(want)
	servertest.Eventually(t, 20*time.Second, func() (bool, string) {
		got := followerHosts(t, s)
		slices.Sort(got)
		return slices.Equal(got, want), fmt.Sprintf("followers %v, want %v", got, want)
	})
}

// The shared inbox takes what its sender signed, once, fresh, whole and
// with the key the sender's actor publishes, and refuses the rest at the
// door with a problem that says why. What passes the door still applies
// only when the activity is its signer's own.
func TestInboxSignatures(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.Federated)
	r := newFakeRemote(t)
	alice := r.AddActor("alice")
	r.AddActor("bob")
	carol := r.AddActor("carol")
	aliceKey := r.Actor("alice") + "#main-key"
	h := r.Host()

	follow := r.follow(s, "alice", "1")
	signedFollow := signed(t, s, alice, aliceKey, follow, httpsig.SignOptions{})
	deliver(t, s, follow, signedFollow).Expect(http.StatusAccepted)
	waitFollowers(t, s, "alice@"+h+":accepted")
	servertest.Eventually(t, 20*time.Second, func() (bool, string) {
		for _, b := range r.Received() {
			if strings.Contains(b, `"Accept"`) && strings.Contains(b, r.Actor("alice")+"/follows/1") {
				return true, ""
			}
		}
		return false, fmt.Sprintf("the remote received %d deliveries, no Accept of its follow", len(r.Received()))
	})

	t.Run("replayed", func(t *testing.T) {
		expectRefusal(t, deliver(t, s, follow, signedFollow), http.StatusUnauthorized, "received before")
	})
	t.Run("unsigned", func(t *testing.T) {
		expectRefusal(t, deliver(t, s, follow, http.Header{"Content-Type": {"application/activity+json"}}), http.StatusUnauthorized, "not signed")
	})
	t.Run("forged", func(t *testing.T) {
		// Signed under alice's key id by a key that is not hers: the
		// stored key fails, the actor is fetched again once in case she
		// rotated it, and the request is refused.
		before := r.Fetches("alice")
		body := r.follow(s, "alice", "forged")
		expectRefusal(t, deliver(t, s, body, signed(t, s, newKey(t), aliceKey, body, httpsig.SignOptions{})), http.StatusUnauthorized, "does not match the key")
		if n := r.Fetches("alice") - before; n != 1 {
			t.Errorf("alice's actor fetched %d times for a forged signature, want once", n)
		}
	})
	t.Run("stale", func(t *testing.T) {
		before := r.Fetches("alice")
		body := r.follow(s, "alice", "stale")
		old := signed(t, s, alice, aliceKey, body, httpsig.SignOptions{Now: time.Now().Add(-2 * time.Hour)})
		expectRefusal(t, deliver(t, s, body, old), http.StatusUnauthorized, "validity window")
		if r.Fetches("alice") != before {
			t.Errorf("a stale request made the instance fetch its signer")
		}
	})
	t.Run("body changed after signing", func(t *testing.T) {
		body := r.follow(s, "alice", "digest")
		hdr := signed(t, s, alice, aliceKey, body, httpsig.SignOptions{})
		changed := bytes.Replace(body, []byte("digest"), []byte("DIGEST"), 1)
		expectRefusal(t, deliver(t, s, changed, hdr), http.StatusUnauthorized, "digest does not match the body")
	})
	t.Run("too large", func(t *testing.T) {
		big := append(bytes.Repeat([]byte(" "), httpsig.DefaultMaxBody), follow...)
		hdr := signed(t, s, alice, aliceKey, big, httpsig.SignOptions{})
		expectRefusal(t, deliver(t, s, big, hdr), http.StatusRequestEntityTooLarge, "at most")
		// Without a length announced, the body is cut where it passes
		// the bound.
		chunked := s.Anonymous(t).Raw(http.MethodPost, "/inbox", io.MultiReader(bytes.NewReader(big)), hdr.Clone())
		expectRefusal(t, chunked, http.StatusRequestEntityTooLarge, "at most")
	})

	t.Run("malformed and not the signer's own", func(t *testing.T) {
		garbage := []byte(`{"type": "Follow", "actor": `)
		deliver(t, s, garbage, signed(t, s, alice, aliceKey, garbage, httpsig.SignOptions{})).Expect(http.StatusAccepted)
		// Alice signs a follow in bob's name: it passes the door, but bob
		// did not sign it.
		asBob := r.follow(s, "bob", "1")
		deliver(t, s, asBob, signed(t, s, alice, aliceKey, asBob, httpsig.SignOptions{})).Expect(http.StatusAccepted)
		// Activities apply in order of arrival: once carol's follow has,
		// the two before it were processed.
		byCarol := r.follow(s, "carol", "1")
		deliver(t, s, byCarol, signed(t, s, carol, r.Actor("carol")+"#main-key", byCarol, httpsig.SignOptions{})).Expect(http.StatusAccepted)
		waitFollowers(t, s, "alice@"+h+":accepted", "carol@"+h+":accepted")
		if n := r.Fetches("bob"); n != 0 {
			t.Errorf("bob's actor fetched %d times for an activity he did not sign", n)
		}
	})

	t.Run("key rotated", func(t *testing.T) {
		// Alice changes her key and signs her Undo with the new one: the
		// stored key fails, one fetch finds the new one, and the Undo
		// applies.
		rotated := r.AddActor("alice")
		before := r.Fetches("alice")
		undo, err := json.Marshal(map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams",
			"id":       r.Actor("alice") + "/follows/1/undo",
			"type":     "Undo",
			"actor":    r.Actor("alice"),
			"object":   json.RawMessage(follow),
		})
		if err != nil {
			t.Fatal(err)
		}
		deliver(t, s, undo, signed(t, s, rotated, aliceKey, undo, httpsig.SignOptions{})).Expect(http.StatusAccepted)
		if n := r.Fetches("alice") - before; n != 1 {
			t.Errorf("alice's actor fetched %d times after her key changed, want once", n)
		}
		waitFollowers(t, s, "carol@"+h+":accepted")
		// The old key no longer speaks for her.
		body := r.follow(s, "alice", "old-key")
		expectRefusal(t, deliver(t, s, body, signed(t, s, alice, aliceKey, body, httpsig.SignOptions{})), http.StatusUnauthorized, "does not match the key")
	})
}

// Each remote server's deliveries are bounded: by client address while
// nobody has proved who sends them, then by the host that signed them,
// wherever they come from. Past the bound the answer is 429 with
// Retry-After, until the window passes.
func TestInboxRateLimit(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.Federated, func(c *config.Config) {
		c.Federation.InboxRateLimit = config.RateLimit{Burst: 3, Window: time.Minute}
	})
	from := func(ip string, body []byte, h http.Header) *servertest.Response {
		return s.AnonymousFrom(t, ip).Raw(http.MethodPost, "/inbox", bytes.NewReader(body), h.Clone())
	}
	tooMany := func(res *servertest.Response) {
		t.Helper()
		expectRefusal(t, res, http.StatusTooManyRequests, "too many deliveries")
		if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 61 {
			t.Errorf("Retry-After %q, want the seconds left of the window", res.Header.Get("Retry-After"))
		}
	}

	unsigned := http.Header{"Content-Type": {"application/activity+json"}}
	for range 3 {
		expectRefusal(t, from("127.0.0.5", []byte(`{}`), unsigned), http.StatusUnauthorized, "not signed")
	}
	tooMany(from("127.0.0.5", []byte(`{}`), unsigned))
	expectRefusal(t, from("127.0.0.6", []byte(`{}`), unsigned), http.StatusUnauthorized, "not signed")

	r, other := newFakeRemote(t), newFakeRemote(t)
	alice, carol := r.AddActor("alice"), other.AddActor("carol")
	byAlice := func(id string) ([]byte, http.Header) {
		body := r.follow(s, "alice", id)
		return body, signed(t, s, alice, r.Actor("alice")+"#main-key", body, httpsig.SignOptions{})
	}
	for i := range 3 {
		body, h := byAlice(strconv.Itoa(i))
		from(fmt.Sprintf("127.0.1.%d", i+1), body, h).Expect(http.StatusAccepted)
	}
	body, h := byAlice("3")
	tooMany(from("127.0.1.9", body, h))
	// Another server is not held back by alice's.
	cb := other.follow(s, "carol", "1")
	from("127.0.1.9", cb, signed(t, s, carol, other.Actor("carol")+"#main-key", cb, httpsig.SignOptions{})).Expect(http.StatusAccepted)

	s.Clock.Advance(time.Minute)
	body, h = byAlice("4")
	from("127.0.1.9", body, h).Expect(http.StatusAccepted)
	from("127.0.0.5", []byte(`{}`), unsigned).Expect(http.StatusUnauthorized)
}

// A blocked server's deliveries are refused once its signature is
// checked, and one of its actors the instance does not know yet is not
// even fetched to check it.
func TestInboxRefusesBlockedServers(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.Federated)
	r := newFakeRemote(t)
	alice := r.AddActor("alice")
	dave := r.AddActor("dave")
	first := r.follow(s, "alice", "1")
	deliver(t, s, first, signed(t, s, alice, r.Actor("alice")+"#main-key", first, httpsig.SignOptions{})).Expect(http.StatusAccepted)
	waitFollowers(t, s, "alice@"+r.Host()+":accepted")

	s.Root(t).Do(http.MethodPost, "/api/v1/server/blocklist/servers", map[string]any{"host": r.Host()}).Expect(http.StatusNoContent)
	again := r.follow(s, "alice", "2")
	expectRefusal(t, deliver(t, s, again, signed(t, s, alice, r.Actor("alice")+"#main-key", again, httpsig.SignOptions{})), http.StatusForbidden, "blocks")
	byDave := r.follow(s, "dave", "1")
	expectRefusal(t, deliver(t, s, byDave, signed(t, s, dave, r.Actor("dave")+"#main-key", byDave, httpsig.SignOptions{})), http.StatusForbidden, "blocks")
	if n := r.Fetches("dave"); n != 0 {
		t.Errorf("an actor of a blocked server was fetched %d times", n)
	}
}
