package database

func init() { registerSQL("0003", "privacy", schemaV3) }

// schemaV3 is frozen: later changes go into new migrations, never here.
//
// Files of videos that are not public or unlisted move to a private
// prefix. Videos uploaded before this migration keep theirs under the
// public one, so the ones that are private or internal are marked as
// moving from there; the server finishes the move when it starts.
const schemaV3 = `
ALTER TABLE videos ADD COLUMN media_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN media_moving_from TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN media_locked_until {{time}};
UPDATE videos SET media_moving_from = 'videos/' || uuid || '/hls/' WHERE privacy NOT IN (1, 2);

ALTER TABLE jobs ADD COLUMN output_prefix TEXT NOT NULL DEFAULT '';
UPDATE jobs SET output_prefix = 'videos/' || (SELECT v.uuid FROM videos AS v WHERE v.id = jobs.video_id) || '/hls/';

CREATE TABLE video_passwords (
	id {{id}},
	video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
	password TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX video_passwords_video_password ON video_passwords (video_id, password);
`
