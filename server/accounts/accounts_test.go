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
	"cuttle.video/server/problem"
	"cuttle.video/server/servertest"
)

const defaultQuota = 5 << 20

// wrongPerClient is how many wrong passwords one client may send per
// account within an hour.
const wrongPerClient = 3

type noMedia struct{}

func (noMedia) RemoveVideoFiles(context.Context, []string) {}

func newService(t *testing.T, b servertest.Backend) *accounts.Service {
	t.Helper()
	db := servertest.OpenDatabase(t, b)
	failures := auth.NewGuesses(wrongPerClient, 10, time.Hour, nil)
	return accounts.New(db, noMedia{}, defaultQuota, failures, nil, servertest.Quiet())
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
		s := newService(t, b)
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
		s := newService(t, b)
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
		if _, p := login(t, s, "blockee", "blockee-password", "client"); p == nil || p.Code != problem.CodeInvalidGrant {
			t.Fatalf("a blocked user's login: %v, want %s", p, problem.CodeInvalidGrant)
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
		s := newService(t, b)
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
