package database

func init() { registerSQL("0014", "actor_keys", schemaV14) }

// schemaV14 is frozen: later changes go into new migrations, never here.
//
// Each local actor (an account, a channel, the instance) signs what it
// sends with its own RSA key pair, made the first time it is needed and
// kept for as long as the actor lives: other servers cache the public
// key under the actor's key id. The actor is named by its kind and the
// id of its row (0 for the instance), so the key outlives a rename.
const schemaV14 = `
CREATE TABLE actor_keys (
	actor_kind TEXT NOT NULL,
	actor_id BIGINT NOT NULL,
	private_pem TEXT NOT NULL,
	public_pem TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	PRIMARY KEY (actor_kind, actor_id)
)
`
