package database

func init() { registerSQL("0016", "deliveries", schemaV16) }

// schemaV16 is frozen: later changes go into new migrations, never here.
//
// deliveries is the queue of signed activities on their way to remote
// inboxes: one row per (activity, inbox), so an activity is queued at
// most once for an inbox however many followers share it; the same bytes
// queued again for an inbox (body_sha256) are the same delivery, while
// an activity sent again after a change (a video deleted, published
// again, deleted again) is a new one. An inbox gets its rows in the
// order they were queued, so the last word on an object is the last
// applied. next_at is
// when the row may be sent; a sender claims a row by moving next_at to
// the end of its lease, so a row whose sender died comes due again by
// itself. The signer's key is named, never stored: it is looked up when
// the row is sent. delivery_hosts remembers which remote servers keep
// failing, so that a dead one is paused rather than tried for every row.
const schemaV16 = `
CREATE TABLE deliveries (
	id {{id}},
	activity_id TEXT NOT NULL,
	inbox TEXT NOT NULL,
	host TEXT NOT NULL,
	key_id TEXT NOT NULL,
	body TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at {{time}} NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	body_sha256 TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	UNIQUE (inbox, body_sha256)
);
CREATE INDEX deliveries_next_at ON deliveries (next_at);
CREATE INDEX deliveries_inbox ON deliveries (inbox, id);
CREATE INDEX deliveries_host ON deliveries (host);
CREATE TABLE delivery_hosts (
	host TEXT PRIMARY KEY,
	failures INTEGER NOT NULL DEFAULT 0,
	paused_until {{time}},
	last_error TEXT NOT NULL DEFAULT '',
	last_success_at {{time}}
)
`
