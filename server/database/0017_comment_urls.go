package database

func init() { registerSQL("0017", "comment urls", schemaV17) }

// schemaV17 is frozen: later changes go into new migrations, never here.
//
// A comment made on another server keeps its ActivityPub id, so that a
// reply to it, its deletion or a second delivery of it finds it again;
// local comments keep it empty and are named by their video and number.
const schemaV17 = `
ALTER TABLE video_comments ADD COLUMN url TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX video_comments_url ON video_comments (url) WHERE url <> '';
`
