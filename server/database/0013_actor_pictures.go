package database

func init() { registerSQL("0013", "actor_pictures", schemaV13) }

// schemaV13 is frozen: later changes go into new migrations, never here.
//
// Accounts and channels have an avatar, channels a banner: the name of
// its files in media storage (one per size, empty when none) and when it
// was sent.
const schemaV13 = `
ALTER TABLE accounts ADD COLUMN avatar_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN avatar_at {{time}};
ALTER TABLE video_channels ADD COLUMN avatar_name TEXT NOT NULL DEFAULT '';
ALTER TABLE video_channels ADD COLUMN avatar_at {{time}};
ALTER TABLE video_channels ADD COLUMN banner_name TEXT NOT NULL DEFAULT '';
ALTER TABLE video_channels ADD COLUMN banner_at {{time}}
`
