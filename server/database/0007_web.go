package database

func init() { registerSQL("0007", "web_interface", schemaV7) }

// schemaV7 is frozen: later changes go into new migrations, never here.
// Instance settings are the few values an admin changes at run time from
// the web interface; each row overrides a configured default. The views
// index serves the "most viewed" list.
const schemaV7 = `
CREATE TABLE instance_settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at {{time}} NOT NULL
);
CREATE INDEX videos_views ON videos (views);
`
