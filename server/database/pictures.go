package database

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// ReplacePicture sets the picture of a kind ("avatar" or "banner") of the
// account or channel with id (model is (*Account)(nil) or
// (*Channel)(nil)) to pic, if its picture is still the one named old, and
// returns when the row was updated. ErrNotFound says the row is gone or
// its picture changed meanwhile: another request replaced it.
func (db *DB) ReplacePicture(ctx context.Context, model any, id int64, kind, old string, pic Picture) (time.Time, error) {
	if kind != "avatar" && kind != "banner" {
		return time.Time{}, fmt.Errorf("replace picture: no %q picture", kind)
	}
	now := time.Now().UTC()
	res, err := db.bun.NewUpdate().Model(model).
		Set("? = ?", bun.Ident(kind+"_name"), pic.Name).
		Set("? = ?", bun.Ident(kind+"_at"), bun.NullTime{Time: pic.At}).
		Set("updated_at = ?", now).
		Where("id = ? AND ? = ?", id, bun.Ident(kind+"_name"), old).
		Exec(ctx)
	if err != nil {
		return time.Time{}, mapErr(err, "replace picture")
	}
	return now, expectRow(res, "replace picture")
}
