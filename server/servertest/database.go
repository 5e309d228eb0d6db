package servertest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"cuttle.video/server/database"
	"cuttle.video/storage"
	"cuttle.video/storage/local"
)

// The processors' own tests (videos, uploads, accounts) run them without
// a server, on the databases the server tests use.

// OpenDatabase opens an empty, migrated database on b: a SQLite file in
// the test's temporary directory, or a new PostgreSQL database. It is
// closed when the test ends.
func OpenDatabase(t *testing.T, b Backend) *database.DB {
	t.Helper()
	url := ""
	if b == Postgres {
		url = CreateDatabase(t)
	}
	db, err := database.Open(context.Background(), url, t.TempDir())
	if err != nil {
		t.Fatalf("open %s database: %v", b, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// LocalMedia returns media storage in the test's temporary directory.
func LocalMedia(t *testing.T) storage.Store {
	t.Helper()
	st, err := local.New(local.Config{Dir: t.TempDir(), BaseURL: "/storage", Secret: []byte("media-secret-for-tests")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// CreateUser stores a user of role with the total video quota (-1 for
// none), their account and a channel, without a password, and returns
// the user as loaded for requests (with the account) and the channel.
func CreateUser(t *testing.T, db *database.DB, role database.Role, quota int64) (*database.User, *database.Channel) {
	t.Helper()
	ctx := context.Background()
	name := NewName("user")
	u := &database.User{Username: name, Email: name + "@example.com", Role: role, VideoQuota: quota, VideoQuotaDaily: -1}
	ch := &database.Channel{Name: name + "_channel", DisplayName: "Main " + name + " channel"}
	if err := db.CreateUser(ctx, u, ch); err != nil {
		t.Fatalf("create user: %v", err)
	}
	loaded, err := db.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return loaded, ch
}

// Quiet is a logger for processors under test: it writes nothing.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
