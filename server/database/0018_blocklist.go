package database

func init() { registerSQL("0018", "blocklist", schemaV18) }

// schemaV18 is frozen: later changes go into new migrations, never here.
//
// blocks is the instance's blocklist: a server (account_id NULL) or one
// account of another server. host is the server's, for an account too,
// so that the lists and the checks need no join to say where a block
// points. A blocked account's row goes with its block when it is
// deleted.
const schemaV18 = `
CREATE TABLE blocks (
	id {{id}},
	host TEXT NOT NULL,
	account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
	created_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX blocks_server ON blocks (host) WHERE account_id IS NULL;
CREATE UNIQUE INDEX blocks_account ON blocks (account_id)
`
