package database

func init() { registerSQL("0010", "video_images", schemaV10) }

// schemaV10 is frozen: later changes go into new migrations, never here.
//
// A video records where its thumbnail and preview come from (see the
// Image* constants), so that its images are known before any transcoding
// and an owner's own are never replaced by one. Videos transcoded before
// have the images their transcoding made.
const schemaV10 = `
ALTER TABLE videos ADD COLUMN thumbnail_source TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN preview_source TEXT NOT NULL DEFAULT '';
UPDATE videos SET thumbnail_source = 'original' WHERE hls LIKE '%"thumbnail":"%';
UPDATE videos SET preview_source = 'original' WHERE hls LIKE '%"preview":"%'
`
