package database

func init() { registerSQL("0011", "original_torrent", schemaV11) }

// schemaV11 is frozen: later changes go into new migrations, never here.
//
// The original is listed as a web video file until the video is
// published, with a torrent made when it was stored; its info hash
// names it in magnet links. Videos stored before have none.
const schemaV11 = `
ALTER TABLE videos ADD COLUMN original_info_hash TEXT NOT NULL DEFAULT '';
`
