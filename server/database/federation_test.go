package database

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/uptrace/bun/migrate"
)

// An instance upgraded to federation keeps every account, channel,
// video and comment it had: SQLite's rebuild of accounts must not
// cascade into the rows that refer to them.
func TestFederationMigrationKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := connect(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	before := migrate.NewMigrations()
	for _, m := range schema.Sorted() {
		if m.Name < "0015" {
			before.Add(m)
		}
	}
	if err := db.migrate(ctx, before); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`INSERT INTO users (id, username, email, password_hash, role, video_quota, video_quota_daily, created_at) VALUES (1, 'alice', 'a@example.org', '', 2, -1, -1, CURRENT_TIMESTAMP)`,
		`INSERT INTO accounts (id, user_id, name, display_name, created_at, updated_at, avatar_name) VALUES (1, 1, 'alice', 'Alice', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'pic')`,
		`INSERT INTO video_channels (id, account_id, name, display_name, created_at, updated_at) VALUES (1, 1, 'alice_channel', 'Alice', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO videos (id, uuid, short_uuid, channel_id, name, privacy, state, created_at, updated_at, published_at) VALUES (1, 'u', 's', 1, 'kept', 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO video_comments (id, video_id, account_id, text, created_at, updated_at) VALUES (1, 1, 1, 'hello', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
	} {
		if _, err := db.bun.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.migrate(ctx, schema); err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	a, err := db.AccountByName(ctx, "ALICE")
	if err != nil || a.UserID != 1 || a.Avatar.Name != "pic" || a.Host != "" {
		t.Fatalf("account after the upgrade: %+v, %v", a, err)
	}
	v, err := db.VideoByID(ctx, 1)
	if err != nil || v.Name != "kept" || v.Channel == nil || v.Channel.Account == nil || v.Channel.Account.Name != "alice" {
		t.Fatalf("video after the upgrade: %+v, %v", v, err)
	}
	var comments int64
	if comments, err = db.bun.NewSelect().Table("video_comments").Where("account_id = 1").Count(ctx); err != nil || comments != 1 {
		t.Fatalf("comments of the account after the upgrade: %d, %v", comments, err)
	}
	// Deleting the user still cascades to the rebuilt table.
	if _, err := db.bun.ExecContext(ctx, "DELETE FROM users WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AccountByName(ctx, "alice"); !isNotFound(err) {
		t.Fatalf("account of a deleted user: %v, want it gone", err)
	}
}

// Remote accounts have no user and share names with local ones, which
// local lookups never find; followers' inboxes are each listed once.
func TestRemoteActorsAndFollows(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u := &User{Username: "alice", Email: "a@example.org", Role: RoleUser}
	if err := db.CreateUser(ctx, u, &Channel{Name: "alice_channel", DisplayName: "A"}); err != nil {
		t.Fatal(err)
	}
	remote := &Account{Host: "peer.example", URL: "https://peer.example/accounts/alice", Name: "alice", DisplayName: "Alice there"}
	if err := db.InsertAccount(ctx, remote); err != nil {
		t.Fatalf("remote account named like a local one: %v", err)
	}
	if err := db.InsertAccount(ctx, &Account{Host: "peer.example", URL: "y", Name: "ALICE"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("second remote alice on one host: %v, want ErrConflict", err)
	}
	if a, err := db.AccountByName(ctx, "alice"); err != nil || a.Host != "" || a.UserID != u.ID {
		t.Fatalf("local lookup found %+v, %v", a, err)
	}

	local, err := db.LocalActor(ctx, "Person", u.Account.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := db.LocalActor(ctx, "Person", u.Account.ID, 0); err != nil || again.ID != local.ID {
		t.Fatalf("local actor made twice: %+v, %v", again, err)
	}
	instance, err := db.LocalActor(ctx, "Application", 0, 0)
	if err != nil || instance.ID == local.ID {
		t.Fatalf("instance actor: %+v, %v", instance, err)
	}
	var followers []*Actor
	for i, inbox := range []struct{ own, shared string }{
		{"https://peer.example/accounts/a/inbox", "https://peer.example/inbox"},
		{"https://peer.example/accounts/b/inbox", "https://peer.example/inbox"},
		{"https://solo.example/users/c/inbox", ""},
	} {
		a := &Actor{Type: "Person", URL: inbox.own[:len(inbox.own)-len("/inbox")], Host: "h", Username: string(rune('a' + i)), Inbox: inbox.own, SharedInbox: inbox.shared}
		if err := db.InsertActor(ctx, a); err != nil {
			t.Fatal(err)
		}
		followers = append(followers, a)
		if err := db.SaveFollow(ctx, &Follow{FollowerID: a.ID, FollowingID: local.ID, State: FollowAccepted, URL: a.URL + "/follows/1"}); err != nil {
			t.Fatal(err)
		}
	}
	pending := &Actor{Type: "Person", URL: "https://late.example/u/d", Inbox: "https://late.example/u/d/inbox"}
	if err := db.InsertActor(ctx, pending); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveFollow(ctx, &Follow{FollowerID: pending.ID, FollowingID: local.ID, State: FollowPending}); err != nil {
		t.Fatal(err)
	}
	inboxes, err := db.FollowerInboxes(ctx, local.ID, instance.ID)
	slices.Sort(inboxes)
	if err != nil || !slices.Equal(inboxes, []string{"https://peer.example/inbox", "https://solo.example/users/c/inbox"}) {
		t.Fatalf("follower inboxes: %q, %v", inboxes, err)
	}
	// Following again updates the one follow.
	if err := db.SaveFollow(ctx, &Follow{FollowerID: followers[0].ID, FollowingID: local.ID, State: FollowRejected, URL: "new"}); err != nil {
		t.Fatal(err)
	}
	f, err := db.FollowByURL(ctx, "new")
	if err != nil || f.State != FollowRejected || f.Follower.URL != followers[0].URL {
		t.Fatalf("follow updated: %+v, %v", f, err)
	}
	_, total, err := db.ListFollows(ctx, FollowFilter{FollowingID: local.ID, Count: 10})
	if err != nil || total != 4 {
		t.Fatalf("follows of the local actor: %d, %v; want 4", total, err)
	}
}
