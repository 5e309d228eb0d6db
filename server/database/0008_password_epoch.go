package database

func init() { registerSQL("0008", "password_epoch", schemaV8) }

// schemaV8 is frozen: later changes go into new migrations, never here.
//
// A password-protected video counts the changes of its passwords; file
// tokens bind the count, so replacing or deleting passwords revokes the
// tokens obtained with the old ones without moving any file.
const schemaV8 = `
ALTER TABLE videos ADD COLUMN password_epoch INTEGER NOT NULL DEFAULT 0;
`
