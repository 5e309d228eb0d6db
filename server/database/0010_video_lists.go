package database

func init() { registerSQL("0010", "video_lists", schemaV10) }

// schemaV10 is frozen: later changes go into new migrations, never here.
//
// PeerTube's trending sort ranks videos by their views of the last days,
// so views are also counted per video and day (UTC, as days since
// 1970-01-01). Views counted before this version have no day: they stay
// in the videos' totals and never count as recent.
//
// remote marks the videos of other instances, which the isLocal filter
// tells apart; every video is local until federation stores remote ones.
const schemaV10 = `
CREATE TABLE video_daily_views (
	video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
	day INTEGER NOT NULL,
	views BIGINT NOT NULL,
	PRIMARY KEY (video_id, day)
);
ALTER TABLE videos ADD COLUMN remote BOOLEAN NOT NULL DEFAULT FALSE
`
