package database

import (
	"context"
	"testing"
)

// Roles are stored with PeerTube's ids, as rows written before Role
// existed hold them.
func TestRoleColumnHoldsPeerTubeIDs(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name string
		role Role
		id   int
	}{{"admin", RoleAdmin, 0}, {"moderator", RoleModerator, 1}, {"plain", RoleUser, 2}} {
		u := &User{Username: tc.name, Email: tc.name + "@example.org", Role: tc.role}
		if err := db.CreateUser(ctx, u, &Channel{Name: tc.name + "_channel"}); err != nil {
			t.Fatal(err)
		}
		var stored int
		if err := db.bun.NewSelect().Model((*User)(nil)).Column("role").Where("id = ?", u.ID).Scan(ctx, &stored); err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored != tc.id || tc.role.ID() != tc.id || got.Role != tc.role || RoleByID(tc.id) != tc.role {
			t.Errorf("%s: stored %d, read %d, want id %d", tc.name, stored, got.Role, tc.id)
		}
	}
	for _, id := range []int{-1, 3, 258} {
		if RoleByID(id).Valid() {
			t.Errorf("RoleByID(%d) is valid", id)
		}
	}
	if _, err := Role(-1).Value(); err == nil {
		t.Error("an invalid role was stored")
	}
}
