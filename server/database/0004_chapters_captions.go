package database

func init() { registerSQL("0004", "chapters_captions", schemaV4) }

// schemaV4 is frozen: later changes go into new migrations, never here.
// Chapters set through the API are "manual": from then on the
// description no longer gives the video its chapters. Storyboards join
// captions here as the other per-video files beside the HLS renditions.
const schemaV4 = `
ALTER TABLE videos ADD COLUMN chapters_manual BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE video_chapters (
	id {{id}},
	video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
	timecode INTEGER NOT NULL,
	title TEXT NOT NULL
);
CREATE UNIQUE INDEX video_chapters_video_timecode ON video_chapters (video_id, timecode);

CREATE TABLE video_captions (
	id {{id}},
	video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
	language TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX video_captions_video_language ON video_captions (video_id, language);

CREATE TABLE video_storyboards (
	video_id BIGINT PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
	file TEXT NOT NULL,
	sprite_width INTEGER NOT NULL,
	sprite_height INTEGER NOT NULL,
	sprite_duration INTEGER NOT NULL,
	sprites INTEGER NOT NULL,
	grid_columns INTEGER NOT NULL,
	grid_rows INTEGER NOT NULL,
	created_at {{time}} NOT NULL
);
`
