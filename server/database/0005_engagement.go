package database

func init() { registerSQL("0005", "engagement", schemaV5) }

// schemaV5 is frozen: later changes go into new migrations, never here.
// Views, likes and dislikes are counted in the videos row (the counters
// exist since 0001); ratings are kept per account so each counts once.
// Comments are soft-deleted so that the replies under a deleted one stay
// in their thread.
const schemaV5 = `
CREATE TABLE video_rates (
	id {{id}},
	video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
	account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	rating TEXT NOT NULL,
	created_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX video_rates_video_account ON video_rates (video_id, account_id);
CREATE INDEX video_rates_account ON video_rates (account_id);

CREATE TABLE video_comments (
	id {{id}},
	video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
	thread_id BIGINT REFERENCES video_comments (id) ON DELETE CASCADE,
	in_reply_to_id BIGINT REFERENCES video_comments (id) ON DELETE CASCADE,
	account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
	text TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	deleted_at {{time}}
);
CREATE INDEX video_comments_video ON video_comments (video_id, thread_id);
CREATE INDEX video_comments_thread ON video_comments (thread_id);
CREATE INDEX video_comments_account ON video_comments (account_id);
`
