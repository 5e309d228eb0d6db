package database

func init() { registerSQL("0001", "initial_schema", schemaV1) }

// schemaV1 is frozen: later changes go into new migrations, never here.
// {{id}} and {{time}} are replaced per dialect.
const schemaV1 = `
CREATE TABLE users (
	id {{id}},
	username TEXT NOT NULL,
	email TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	role INTEGER NOT NULL,
	video_quota BIGINT NOT NULL,
	video_quota_daily BIGINT NOT NULL,
	blocked BOOLEAN NOT NULL DEFAULT FALSE,
	created_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE accounts (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	display_name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX accounts_name ON accounts (lower(name));
CREATE UNIQUE INDEX accounts_user ON accounts (user_id);

CREATE TABLE video_channels (
	id {{id}},
	account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	display_name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	support TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX video_channels_name ON video_channels (lower(name));
CREATE INDEX video_channels_account ON video_channels (account_id);

CREATE TABLE oauth_clients (
	id {{id}},
	client_id TEXT NOT NULL,
	client_secret TEXT NOT NULL
);
CREATE UNIQUE INDEX oauth_clients_client_id ON oauth_clients (client_id);

CREATE TABLE oauth_tokens (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	access_hash TEXT NOT NULL,
	refresh_hash TEXT NOT NULL,
	access_expires_at {{time}} NOT NULL,
	refresh_expires_at {{time}} NOT NULL,
	created_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX oauth_tokens_access ON oauth_tokens (access_hash);
CREATE UNIQUE INDEX oauth_tokens_refresh ON oauth_tokens (refresh_hash);
CREATE INDEX oauth_tokens_user ON oauth_tokens (user_id);

CREATE TABLE videos (
	id {{id}},
	uuid TEXT NOT NULL,
	short_uuid TEXT NOT NULL,
	channel_id BIGINT NOT NULL REFERENCES video_channels (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	support TEXT NOT NULL DEFAULT '',
	privacy INTEGER NOT NULL,
	state INTEGER NOT NULL,
	category INTEGER NOT NULL DEFAULT 0,
	licence INTEGER NOT NULL DEFAULT 0,
	language TEXT NOT NULL DEFAULT '',
	nsfw BOOLEAN NOT NULL DEFAULT FALSE,
	comments_enabled BOOLEAN NOT NULL DEFAULT TRUE,
	download_enabled BOOLEAN NOT NULL DEFAULT TRUE,
	wait_transcoding BOOLEAN NOT NULL DEFAULT FALSE,
	duration INTEGER NOT NULL DEFAULT 0,
	views BIGINT NOT NULL DEFAULT 0,
	likes BIGINT NOT NULL DEFAULT 0,
	dislikes BIGINT NOT NULL DEFAULT 0,
	original_key TEXT NOT NULL DEFAULT '',
	original_filename TEXT NOT NULL DEFAULT '',
	original_size BIGINT NOT NULL DEFAULT 0,
	width INTEGER NOT NULL DEFAULT 0,
	height INTEGER NOT NULL DEFAULT 0,
	state_reason TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	published_at {{time}} NOT NULL,
	originally_published_at {{time}}
);
CREATE UNIQUE INDEX videos_uuid ON videos (uuid);
CREATE UNIQUE INDEX videos_short_uuid ON videos (short_uuid);
CREATE INDEX videos_channel ON videos (channel_id);
CREATE INDEX videos_published_at ON videos (published_at);

CREATE TABLE video_tags (
	id {{id}},
	video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
	name TEXT NOT NULL
);
CREATE INDEX video_tags_video ON video_tags (video_id);
CREATE INDEX video_tags_name ON video_tags (lower(name));

CREATE TABLE uploads (
	id TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	metadata TEXT NOT NULL,
	video_id BIGINT REFERENCES videos (id) ON DELETE CASCADE,
	created_at {{time}} NOT NULL,
	expires_at {{time}} NOT NULL
);
CREATE INDEX uploads_expires_at ON uploads (expires_at);
`
