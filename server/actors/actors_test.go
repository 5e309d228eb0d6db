package actors_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"cuttle.video/server/accounts"
	"cuttle.video/server/actors"
	"cuttle.video/server/auth"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/instance"
	"cuttle.video/server/servertest"
)

type noMedia struct{}

func (noMedia) RemoveVideoFiles(context.Context, []string) {}

func newService(t *testing.T) (*actors.Service, *accounts.Service) {
	t.Helper()
	db := servertest.OpenDatabase(t, servertest.SQLite)
	settings := instance.New(db, instance.Settings{Name: "Cuttle"}, nil)
	accts := accounts.New(accounts.Config{Host: "videos.example:8443"}, db, noMedia{}, settings,
		auth.NewGuesses(3, 10, time.Hour, nil), nil, servertest.Quiet())
	return actors.New(actors.Config{PublicURL: "https://videos.example:8443", Host: "videos.example:8443"}, accts, db), accts
}

// Local actors have PeerTube's URLs, and names resolve as WebFinger
// asks: "peertube" is the instance, then accounts, then channels.
func TestActorsAreAddressedAsPeerTubeDoes(t *testing.T) {
	s, accts := newService(t)
	ctx := context.Background()
	_, err := accts.CreateUser(ctx, accounts.NewUser{Username: "ann", Email: "ann@example.com", Password: "secret-password", ChannelName: "cooking"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		handle string
		kind   actors.Kind
		id     string
	}{
		{"ann", actors.Person, "https://videos.example:8443/accounts/ann"},
		{"ann@videos.example:8443", actors.Person, "https://videos.example:8443/accounts/ann"},
		{"cooking", actors.Group, "https://videos.example:8443/video-channels/cooking"},
		{"peertube", actors.Application, "https://videos.example:8443/accounts/peertube"},
		{"PeerTube@VIDEOS.example:8443", actors.Application, "https://videos.example:8443/accounts/peertube"},
	} {
		a, err := s.Named(ctx, tc.handle)
		if err != nil {
			t.Errorf("%s: %v", tc.handle, err)
			continue
		}
		if a.Kind != tc.kind || a.ID != tc.id || a.Inbox() != tc.id+"/inbox" || a.Outbox() != tc.id+"/outbox" ||
			a.Followers() != tc.id+"/followers" || a.Following() != tc.id+"/following" ||
			a.Playlists() != tc.id+"/playlists" || a.KeyID() != tc.id+"#main-key" {
			t.Errorf("%s: %+v", tc.handle, a)
		}
	}
	for _, handle := range []string{"nobody", "ann@other.example", "cooking@other.example", "peertube@other.example", "", "@"} {
		if _, err := s.Named(ctx, handle); err == nil {
			t.Errorf("%q names an actor", handle)
		}
	}
	if got := s.SharedInbox(); got != "https://videos.example:8443/inbox" {
		t.Errorf("shared inbox %q", got)
	}
}

// An actor's key is made once: later calls, and calls racing the first,
// get the same key, and each actor has its own.
func TestKeyIsMadeOnce(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	inst := s.Instance()
	const racers = 4
	pems := make([]string, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := s.Key(ctx, inst)
			if err != nil {
				t.Error(err)
				return
			}
			pems[i] = k.PublicPEM
		}()
	}
	wg.Wait()
	for _, p := range pems {
		if p != pems[0] {
			t.Fatal("racing first requests made different keys")
		}
	}
	k, err := s.Key(ctx, inst)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := httpsig.ParsePublicKeyPEM(k.PublicPEM)
	if err != nil || k.PublicPEM != pems[0] || !pub.Equal(&k.Private.PublicKey) {
		t.Fatalf("second call: %v; same key %v", err, k.PublicPEM == pems[0])
	}
	person, err := s.Key(ctx, actors.Actor{Kind: actors.Person, ID: "https://videos.example:8443/accounts/x"})
	if err != nil || person.PublicPEM == k.PublicPEM {
		t.Fatalf("another actor's key: %v, same as the instance's: %v", err, person.PublicPEM == k.PublicPEM)
	}
}

func TestAcceptsActivityPub(t *testing.T) {
	for _, tc := range []struct {
		accept string
		want   bool
	}{
		{"application/activity+json", true},
		{"application/ld+json", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{`application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{"text/html, application/activity+json;q=0.9", true},
		{"APPLICATION/ACTIVITY+JSON", true},
		{"", false},
		{"*/*", false},
		{"application/*", false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"application/json", false},
		{`application/ld+json; profile="https://example.com/other"`, false},
		{"application/activity+json;q=0", false},
		{"application/activity+json;q=0.000", false},
		{"application/activity+json;q=nonsense", false},
		{"application/activity+json; ;;==", false},
		{strings.Repeat("text/html,", 10000), false},
	} {
		if got := actors.AcceptsActivityPub(tc.accept); got != tc.want {
			t.Errorf("%.60q: %v, want %v", tc.accept, got, tc.want)
		}
	}
}
