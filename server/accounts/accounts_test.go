package accounts_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"cuttle.video/server/accounts"
	"cuttle.video/server/auth"
	"cuttle.video/server/database"
	"cuttle.video/server/instance"
	"cuttle.video/server/problem"
	"cuttle.video/server/servertest"
)

const defaultQuota = 5 << 20

// wrongPerClient is how many wrong passwords one client may send per
// account within an hour.
const wrongPerClient = 3

type noMedia struct{}

func (noMedia) RemoveVideoFiles(context.Context, []string) {}

// newService returns the accounts of a fresh database, with sign-up
// open, and the instance settings that can close it.
func newService(t *testing.T, b servertest.Backend) (*accounts.Service, *instance.Service) {
	t.Helper()
	db := servertest.OpenDatabase(t, b)
	failures := auth.NewGuesses(wrongPerClient, 10, time.Hour, nil)
	settings := instance.New(db, instance.Settings{Name: "Cuttle", SignupEnabled: true}, nil)
	return accounts.New(accounts.Config{DefaultQuota: defaultQuota, Host: "videos.example"}, db, noMedia{}, settings, failures, nil, servertest.Quiet()), settings
}

// login logs in from client and returns the problem refusing it, if any.
func login(t *testing.T, s *accounts.Service, name, password, client string) (*accounts.TokenPair, *problem.Problem) {
	t.Helper()
	ctx := context.Background()
	c, err := s.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := s.Login(ctx, c.ClientID, c.ClientSecret, name, password, client)
	if err == nil {
		return pair, nil
	}
	var p *problem.Problem
	if !errors.As(err, &p) {
		t.Fatalf("login of %s: %v", name, err)
	}
	return nil, p
}

// Someone who signs up is a normal user with the default quota, not a
// moderator or an admin.
func TestRegisteredUserIsANormalUser(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s, _ := newService(t, b)
		u, err := s.Register(context.Background(), accounts.Registration{Username: "newcomer", Email: "newcomer@example.com",
			Password: "newcomer-password"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != database.RoleUser || u.VideoQuota != defaultQuota {
			t.Fatalf("a new account has role %d and quota %d, want %d and %d", u.Role, u.VideoQuota, database.RoleUser, defaultQuota)
		}
		if _, p := login(t, s, "newcomer", "newcomer-password", "client"); p != nil {
			t.Fatalf("a new account's login: %v", p)
		}
	})
}

// A blocked user's sessions end and the right password no longer opens
// one; unblocked, they log in again.
func TestBlockedUserCannotLogIn(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, _ := newService(t, b)
		u, err := s.CreateUser(ctx, accounts.NewUser{Username: "blockee", Email: "blockee@example.com",
			Password: "blockee-password", Role: database.RoleUser})
		if err != nil {
			t.Fatal(err)
		}
		pair, p := login(t, s, "blockee", "blockee-password", "client")
		if p != nil {
			t.Fatal(p)
		}
		block := func(blocked bool) {
			t.Helper()
			if err := s.UpdateUser(ctx, u.ID, accounts.UserUpdate{Blocked: &blocked}); err != nil {
				t.Fatal(err)
			}
		}
		block(true)
		if _, err := s.Authenticate(ctx, pair.AccessToken); err == nil {
			t.Fatal("a blocked user's session still works")
		}
		// The pages tell it by its type; PeerTube clients get the answer
		// they always had.
		cl, err := s.Client(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Login(ctx, cl.ClientID, cl.ClientSecret, "blockee", "blockee-password", "client")
		if p := problem.From(err); !errors.Is(err, accounts.ErrBlocked) || p.Status != http.StatusBadRequest ||
			p.Code != problem.CodeInvalidGrant || p.Detail != "Invalid grant: user is blocked" {
			t.Fatalf("a blocked user's login: %v", err)
		}
		if _, err = s.Login(ctx, cl.ClientID, cl.ClientSecret, "blockee", "wrong-password", "client"); errors.Is(err, accounts.ErrBlocked) {
			t.Fatal("a wrong password is told as blocked")
		}
		block(false)
		if _, p := login(t, s, "blockee", "blockee-password", "client"); p != nil {
			t.Fatalf("an unblocked user's login: %v", p)
		}
	})
}

// Wrong passwords count against the client that sends them: past the
// limit even the right password from it is refused for a while, while
// the user logging in from elsewhere is not locked out.
func TestWrongPasswordsAreCounted(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, _ := newService(t, b)
		if _, err := s.CreateUser(ctx, accounts.NewUser{Username: "target", Email: "target@example.com",
			Password: "target-password", Role: database.RoleUser}); err != nil {
			t.Fatal(err)
		}
		for i := range wrongPerClient {
			if _, p := login(t, s, "target", "wrong-password", "guesser"); p == nil || p.Code != problem.CodeInvalidGrant {
				t.Fatalf("wrong password %d: %v, want %s", i+1, p, problem.CodeInvalidGrant)
			}
		}
		_, p := login(t, s, "target", "target-password", "guesser")
		if p == nil || p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" {
			t.Fatalf("the right password after %d wrong ones from the same client: %v, want 429 with Retry-After", wrongPerClient, p)
		}
		if _, p := login(t, s, "target", "target-password", "owner"); p != nil {
			t.Fatalf("the owner's login from another client: %v", p)
		}
	})
}

// A user created without a role is a plain user, never an admin, and
// role ids other than PeerTube's are refused.
func TestNewUserWithoutRoleIsAUser(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, _ := newService(t, b)
		u, err := s.CreateUser(ctx, accounts.NewUser{Username: "plain", Email: "plain@example.org", Password: "secret-pass"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != database.RoleUser || u.Role.ID() != 2 {
			t.Fatalf("role = %d (id %d), want a plain user (id 2)", u.Role, u.Role.ID())
		}
		_, err = s.CreateUser(ctx, accounts.NewUser{Username: "odd", Email: "odd@example.org", Password: "secret-pass",
			Role: database.RoleByID(3)})
		if p := problem.From(err); p.Status != http.StatusBadRequest || p.InvalidParams["role"] == "" {
			t.Fatalf("unknown role id: %v", err)
		}
	})
}

// Sign-up follows the instance setting, and names the first channel as
// asked.
func TestRegisterFollowsSignupSetting(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, settings := newService(t, b)
		off := false
		if err := settings.Set(ctx, instance.Update{SignupEnabled: &off}); err != nil {
			t.Fatal(err)
		}
		r := accounts.Registration{Username: "newcomer", Email: "newcomer@example.org", Password: "secret-pass", ChannelDisplayName: "Waves"}
		_, err := s.Register(ctx, r)
		if p := problem.From(err); !errors.Is(err, accounts.ErrSignupClosed) || p.Status != http.StatusForbidden ||
			p.Detail != "registration is not enabled on this instance" {
			t.Fatalf("closed sign-up: %v", err)
		}
		on := true
		if err := settings.Set(ctx, instance.Update{SignupEnabled: &on}); err != nil {
			t.Fatal(err)
		}
		u, err := s.Register(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		chs, _, err := s.ListChannels(ctx, u.Account.ID, 0, 10, "")
		if err != nil || len(chs) != 1 || chs[0].DisplayName != "Waves" {
			t.Fatalf("channels = %+v, %v", chs, err)
		}
	})
}

// Accounts and channels answer to their bare names and to name@host
// with this instance's host, as PeerTube clients name them; another host
// names nobody here.
func TestHandlesWithHost(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, _ := newService(t, b)
		u, err := s.Register(ctx, accounts.Registration{Username: "lena", Email: "lena@example.org", Password: "lena-password"})
		if err != nil {
			t.Fatal(err)
		}
		chs, _, err := s.ListChannels(ctx, u.Account.ID, 0, 10, "")
		if err != nil || len(chs) != 1 {
			t.Fatalf("channels: %v, %v", chs, err)
		}
		channel := chs[0].Name
		for _, handle := range []string{"lena", "lena@videos.example", "lena@Videos.Example"} {
			if a, err := s.Account(ctx, handle); err != nil || a.Name != "lena" {
				t.Errorf("account %q: %v, %v", handle, a, err)
			}
		}
		for _, handle := range []string{channel, channel + "@videos.example"} {
			if c, err := s.Channel(ctx, handle); err != nil || c.Name != channel {
				t.Errorf("channel %q: %v, %v", handle, c, err)
			}
		}
		for _, handle := range []string{"lena@elsewhere.example", "lena@", "nobody@videos.example"} {
			if _, err := s.Account(ctx, handle); problem.From(err).Status != http.StatusNotFound {
				t.Errorf("account %q: %v, want 404", handle, err)
			}
		}
		if _, err := s.Channel(ctx, channel+"@elsewhere.example"); problem.From(err).Status != http.StatusNotFound {
			t.Errorf("channel on another host: %v, want 404", err)
		}
	})
}

// "peertube" names the instance to other servers: no user, account or
// channel may take it, whatever its case.
func TestInstanceActorNameIsReserved(t *testing.T) {
	s, _ := newService(t, servertest.SQLite)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		in    accounts.NewUser
		param string
	}{
		{"username", accounts.NewUser{Username: "peertube", Email: "a@example.com", Password: "secret-password"}, "username"},
		{"default channel", accounts.NewUser{Username: "ann", Email: "b@example.com", Password: "secret-password", ChannelName: "PeerTube"}, "channelName"},
	} {
		_, err := s.CreateUser(ctx, tc.in)
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != http.StatusBadRequest || p.InvalidParams[tc.param] == "" {
			t.Errorf("%s: %v, want %s refused", tc.name, err, tc.param)
		}
	}
	u, err := s.CreateUser(ctx, accounts.NewUser{Username: "bob", Email: "c@example.com", Password: "secret-password"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateChannel(ctx, u, "peertube", accounts.ChannelFields{DisplayName: new(string)})
	var p *problem.Problem
	if !errors.As(err, &p) || p.InvalidParams["name"] == "" {
		t.Errorf("channel named peertube: %v, want refused", err)
	}
}

// Accounts and channels share one name space, as other servers address
// both as name@host: no account may take a channel's name, nor a channel
// an account's.
func TestAccountAndChannelNamesDoNotCollide(t *testing.T) {
	s, _ := newService(t, servertest.SQLite)
	ctx := context.Background()
	ann, err := s.CreateUser(ctx, accounts.NewUser{Username: "ann", Email: "ann@example.com", Password: "secret-password",
		ChannelName: "music"})
	if err != nil {
		t.Fatal(err)
	}
	conflict := func(what string, err error) {
		t.Helper()
		if problem.From(err).Status != http.StatusConflict {
			t.Errorf("%s: %v, want 409", what, err)
		}
	}
	_, err = s.CreateUser(ctx, accounts.NewUser{Username: "music", Email: "m@example.com", Password: "secret-password"})
	conflict("a user named like a channel", err)
	_, err = s.CreateUser(ctx, accounts.NewUser{Username: "bob", Email: "b@example.com", Password: "secret-password", ChannelName: "ann"})
	conflict("a default channel named like an account", err)
	bob, err := s.CreateUser(ctx, accounts.NewUser{Username: "bob", Email: "b@example.com", Password: "secret-password"})
	if err != nil {
		t.Fatalf("a user whose names are free: %v", err)
	}
	display := "Songs"
	_, err = s.CreateChannel(ctx, bob, "ann", accounts.ChannelFields{DisplayName: &display})
	conflict("a channel named like another account", err)
	_, err = s.CreateChannel(ctx, ann, "music", accounts.ChannelFields{DisplayName: &display})
	conflict("a channel named like another channel", err)
}
