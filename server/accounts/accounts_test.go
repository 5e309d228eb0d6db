package accounts

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"cuttle.video/server/auth"
	"cuttle.video/server/database"
	"cuttle.video/server/instance"
	"cuttle.video/server/problem"
)

type noMedia struct{}

func (noMedia) RemoveVideoFiles(context.Context, []string) {}

func newService(t *testing.T, signup bool) (*Service, *instance.Service) {
	t.Helper()
	db, err := database.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	settings := instance.New(db, instance.Settings{Name: "Cuttle", SignupEnabled: signup}, nil)
	return New(db, noMedia{}, settings, -1, auth.NewGuesses(10, 10, time.Minute, nil), nil, slog.Default()), settings
}

func TestNewUserWithoutRoleIsAUser(t *testing.T) {
	s, _ := newService(t, false)
	u, err := s.CreateUser(context.Background(), NewUser{Username: "plain", Email: "plain@example.org", Password: "secret-pass"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != database.RoleUser || u.Role.ID() != 2 {
		t.Fatalf("role = %d (id %d), want a plain user (id 2)", u.Role, u.Role.ID())
	}
	_, err = s.CreateUser(context.Background(), NewUser{Username: "odd", Email: "odd@example.org", Password: "secret-pass",
		Role: database.RoleByID(3)})
	if p := problem.From(err); p.InvalidParams["role"] != badRole {
		t.Fatalf("unknown role id: %v", err)
	}
}

func TestBlockedLogin(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, false)
	u, err := s.CreateUser(ctx, NewUser{Username: "blocked", Email: "blocked@example.org", Password: "secret-pass"})
	if err != nil {
		t.Fatal(err)
	}
	blocked := true
	if err := s.UpdateUser(ctx, u.ID, UserUpdate{Blocked: &blocked}); err != nil {
		t.Fatal(err)
	}
	cl, err := s.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Login(ctx, cl.ClientID, cl.ClientSecret, "blocked", "secret-pass", "client")
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("login of a blocked user: %v, want ErrBlocked", err)
	}
	// PeerTube clients get the answer they always had.
	if p := problem.From(err); p.Status != http.StatusBadRequest || p.Code != problem.CodeInvalidGrant || p.Detail != "Invalid grant: user is blocked" {
		t.Fatalf("problem = %+v", p)
	}
	_, err = s.Login(ctx, cl.ClientID, cl.ClientSecret, "blocked", "wrong-pass", "client")
	if errors.Is(err, ErrBlocked) || problem.From(err).Code != problem.CodeInvalidGrant {
		t.Fatalf("wrong password of a blocked user: %v", err)
	}
}

func TestRegisterFollowsSignupSetting(t *testing.T) {
	ctx := context.Background()
	s, settings := newService(t, false)
	r := Registration{Username: "newcomer", Email: "newcomer@example.org", Password: "secret-pass", ChannelDisplayName: "Waves"}
	_, err := s.Register(ctx, r)
	if p := problem.From(err); !errors.Is(err, ErrSignupClosed) || p.Status != http.StatusForbidden ||
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
	if u.Role != database.RoleUser {
		t.Fatalf("registered role = %d", u.Role)
	}
}
