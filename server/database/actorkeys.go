package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// ActorKey is a local actor's key pair, PEM-encoded (the private key as
// PKCS#8).
type ActorKey struct {
	bun.BaseModel `bun:"table:actor_keys"`
	ActorKind     string    `bun:"actor_kind,pk"`
	ActorID       int64     `bun:"actor_id,pk"`
	PrivatePEM    string    `bun:"private_pem,notnull"`
	PublicPEM     string    `bun:"public_pem,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

// ActorKey loads the key of the actor of kind with id; ErrNotFound when
// it has none yet.
func (db *DB) ActorKey(ctx context.Context, kind string, id int64) (*ActorKey, error) {
	k := new(ActorKey)
	err := db.bun.NewSelect().Model(k).Where("actor_kind = ? AND actor_id = ?", kind, id).Scan(ctx)
	return k, mapErr(err, "actor key")
}

// AddActorKey stores k unless its actor has a key already, and returns
// the key stored: k, or the one another request (or replica) stored
// first. An actor thus never has two keys, whoever races.
func (db *DB) AddActorKey(ctx context.Context, k *ActorKey) (*ActorKey, error) {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = time.Now().UTC()
	}
	_, err := db.bun.NewInsert().Model(k).On("CONFLICT (actor_kind, actor_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, mapErr(err, "insert actor key")
	}
	return db.ActorKey(ctx, k.ActorKind, k.ActorID)
}
