package database

import (
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"
)

type selectQuery = bun.SelectQuery

// expectRow turns "nothing matched" into ErrNotFound for updates and deletes.
func expectRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}
