package database

func init() { registerSQL("0012", "video_images", schemaV12) }

// schemaV12 is frozen: later changes go into new migrations, never here.
//
// A video records where its thumbnail and preview come from (see the
// Image* constants), so that its images are known before any transcoding
// and an owner's own are never replaced by one. Videos transcoded before
// have the images their transcoding made.
const schemaV12 = `
ALTER TABLE videos ADD COLUMN thumbnail_source TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN preview_source TEXT NOT NULL DEFAULT '';
UPDATE videos SET thumbnail_source = 'original' WHERE hls LIKE '%"thumbnail":"%';
UPDATE videos SET preview_source = 'original' WHERE hls LIKE '%"preview":"%'
`
