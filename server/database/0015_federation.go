package database

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

func init() {
	schema.Add(migrate.Migration{
		Name:    "0015",
		Comment: "federation",
		Up: func(ctx context.Context, m *migrate.Migrator, _ *migrate.Migration) error {
			return migrateFederation(ctx, m.DB())
		},
	})
}

// schemaV15 is frozen: later changes go into new migrations, never here.
//
// Accounts and channels of other instances are rows like local ones, so
// that their videos, comments and ratings join the same lists; host says
// where they live (empty for local ones), url is their actor's id (empty
// for local ones, whose URLs follow the instance's address), and a name
// is unique per host.
// A remote account belongs to no user, hence user_id loses NOT NULL
// (before this, in accountsNullableUser, which differs per dialect).
//
// actors holds what federation needs to know about an actor besides its
// account or channel: its URL, inboxes, collections and public key for
// remote ones; local ones (url empty) get a row the first time something
// refers to them, such as a follow. An instance's own actor (the
// Application) has neither account nor channel.
//
// follows links a follower to the actor it follows, local or remote on
// either side, with its state and the URL of the Follow activity, which
// Accept, Reject and Undo name.
//
// A remote video's url is its ActivityPub id; remote_media holds where
// its files are on its origin (JSON), since none are stored here. A
// local video is federated while other servers were told of it (a Create
// sent, no Delete since), so that a change of privacy or a deletion
// knows whether to tell them it is gone.
//
// inbox_items keeps each activity received until it is processed, so an
// answer of 202 means the activity is safe even if the server stops.
const schemaV15 = `
ALTER TABLE accounts ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN url TEXT NOT NULL DEFAULT '';
DROP INDEX accounts_name;
CREATE UNIQUE INDEX accounts_name ON accounts (host, lower(name));
ALTER TABLE video_channels ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE video_channels ADD COLUMN url TEXT NOT NULL DEFAULT '';
DROP INDEX video_channels_name;
CREATE UNIQUE INDEX video_channels_name ON video_channels (host, lower(name));

CREATE TABLE actors (
	id {{id}},
	type TEXT NOT NULL,
	url TEXT NOT NULL DEFAULT '',
	host TEXT NOT NULL DEFAULT '',
	username TEXT NOT NULL DEFAULT '',
	inbox TEXT NOT NULL DEFAULT '',
	shared_inbox TEXT NOT NULL DEFAULT '',
	outbox TEXT NOT NULL DEFAULT '',
	followers TEXT NOT NULL DEFAULT '',
	key_id TEXT NOT NULL DEFAULT '',
	public_key_pem TEXT NOT NULL DEFAULT '',
	account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
	channel_id BIGINT REFERENCES video_channels (id) ON DELETE CASCADE,
	fetched_at {{time}},
	created_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX actors_url ON actors (url) WHERE url <> '';
CREATE INDEX actors_key ON actors (key_id);
CREATE UNIQUE INDEX actors_account ON actors (account_id);
CREATE UNIQUE INDEX actors_channel ON actors (channel_id);
CREATE UNIQUE INDEX actors_local_instance ON actors (type) WHERE url = '' AND account_id IS NULL AND channel_id IS NULL;

CREATE TABLE follows (
	id {{id}},
	follower_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	following_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	state TEXT NOT NULL,
	url TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX follows_pair ON follows (follower_id, following_id);
CREATE INDEX follows_following ON follows (following_id, state);

ALTER TABLE videos ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN remote_media TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN federated BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX videos_url ON videos (url) WHERE url <> '';

CREATE TABLE inbox_items (
	id {{id}},
	signer TEXT NOT NULL,
	body TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at {{time}} NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	received_at {{time}} NOT NULL
);
CREATE INDEX inbox_items_next ON inbox_items (next_at)
`

// accountsSQLite rebuilds accounts without NOT NULL on user_id, the one
// way SQLite changes a column's constraints; schemaV1's indexes and the
// columns added since are carried over.
const accountsSQLite = `
CREATE TABLE accounts_v15 (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	display_name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	avatar_name TEXT NOT NULL DEFAULT '',
	avatar_at TIMESTAMP
);
INSERT INTO accounts_v15 (id, user_id, name, display_name, description, created_at, updated_at, avatar_name, avatar_at)
	SELECT id, user_id, name, display_name, description, created_at, updated_at, avatar_name, avatar_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_v15 RENAME TO accounts;
CREATE UNIQUE INDEX accounts_name ON accounts (lower(name));
CREATE UNIQUE INDEX accounts_user ON accounts (user_id)
`

func migrateFederation(ctx context.Context, db *bun.DB) error {
	if db.Dialect().Name().String() == "pg" {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "ALTER TABLE accounts ALTER COLUMN user_id DROP NOT NULL"); err != nil {
				return fmt.Errorf("accounts.user_id nullable: %w", err)
			}
			return execStatements(ctx, tx, schemaV15)
		})
	}
	// Dropping accounts with foreign keys on would delete every row
	// that refers to it; SQLite ignores this pragma inside a
	// transaction, and the pool's one connection makes it apply to the
	// transaction below.
	if _, err := db.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("foreign keys off: %w", err)
	}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := execStatements(ctx, tx, accountsSQLite); err != nil {
			return err
		}
		if err := execStatements(ctx, tx, schemaV15); err != nil {
			return err
		}
		var broken []map[string]any
		if err := tx.NewRaw("PRAGMA foreign_key_check").Scan(ctx, &broken); err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		if len(broken) > 0 {
			return fmt.Errorf("foreign key check: %d rows refer to missing rows", len(broken))
		}
		return nil
	})
	if _, onErr := db.ExecContext(ctx, "PRAGMA foreign_keys = ON"); onErr != nil && err == nil {
		err = fmt.Errorf("foreign keys on: %w", onErr)
	}
	return err
}
