package database

import (
	"database/sql/driver"
	"fmt"
)

// Role is what a user may do. Roles are ordered by power, and the zero
// value is RoleUser: a user made without naming a role is never an
// admin. The users.role column and PeerTube's API number roles the other
// way round (0 admin, 1 moderator, 2 user); ID gives that number and
// RoleByID reads it, so stored rows and clients see PeerTube's ids.
type Role int8

// The roles, from the least to the most powerful.
const (
	RoleUser Role = iota
	RoleModerator
	RoleAdmin
)

// RoleByID returns the role PeerTube numbers id, or a role that Valid
// rejects when id names none.
func RoleByID(id int) Role {
	if id < RoleAdmin.ID() || id > RoleUser.ID() {
		return -1
	}
	return RoleAdmin - Role(id)
}

// ID is PeerTube's number for the role.
func (r Role) ID() int { return int(RoleAdmin - r) }

// Valid tells whether r is one of the roles.
func (r Role) Valid() bool { return r >= RoleUser && r <= RoleAdmin }

// Value stores the role as PeerTube's id.
func (r Role) Value() (driver.Value, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("role %d is not a role", r)
	}
	return int64(r.ID()), nil
}

// Scan reads a role stored as PeerTube's id.
func (r *Role) Scan(src any) error {
	id, ok := src.(int64)
	if !ok {
		return fmt.Errorf("role: a %T is not a role id", src)
	}
	if *r = RoleByID(int(id)); !r.Valid() {
		return fmt.Errorf("role: %d is not a role id", id)
	}
	return nil
}
