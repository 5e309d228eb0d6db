package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Setting is one instance setting an admin changed at run time.
type Setting struct {
	bun.BaseModel `bun:"table:instance_settings"`
	Key           string    `bun:"key,pk"`
	Value         string    `bun:"value,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
}

// Settings returns every stored setting by key.
func (db *DB) Settings(ctx context.Context) (map[string]string, error) {
	var rows []Setting
	if err := db.bun.NewSelect().Model(&rows).Scan(ctx); err != nil {
		return nil, mapErr(err, "settings")
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Value
	}
	return out, nil
}

// PutSettings stores the given settings, replacing earlier values, in one
// transaction.
func (db *DB) PutSettings(ctx context.Context, values map[string]string) error {
	return db.Tx(ctx, func(tx *DB) error {
		now := time.Now().UTC()
		for k, v := range values {
			row := &Setting{Key: k, Value: v, UpdatedAt: now}
			_, err := tx.bun.NewInsert().Model(row).
				On("CONFLICT (key) DO UPDATE").
				Set("value = EXCLUDED.value").Set("updated_at = EXCLUDED.updated_at").
				Exec(ctx)
			if err != nil {
				return mapErr(err, "put setting")
			}
		}
		return nil
	})
}
