package database

func init() { registerSQL("0002", "transcoding_jobs", schemaV2) }

// schemaV2 is frozen: later changes go into new migrations, never here.
const schemaV2 = `
ALTER TABLE videos ADD COLUMN original_probe TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN hls TEXT NOT NULL DEFAULT '';

CREATE TABLE jobs (
	id TEXT PRIMARY KEY,
	type TEXT NOT NULL,
	video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	progress DOUBLE PRECISION NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	worker TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	started_at {{time}},
	finished_at {{time}}
);
CREATE INDEX jobs_state ON jobs (state, created_at);
CREATE INDEX jobs_video ON jobs (video_id);
`
