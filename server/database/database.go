// Package database is the bun-backed store shared by the embedded setup
// (SQLite in WAL mode) and the scaled-out one (PostgreSQL). The same models
// and queries serve both; only Open differs.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"github.com/uptrace/bun/driver/sqliteshim"
)

// ErrNotFound is returned when a lookup matches no row.
var ErrNotFound = errors.New("database: not found")

// ErrConflict is returned when a unique constraint refuses a write.
var ErrConflict = errors.New("database: already exists")

// DB is the store. Its methods are grouped by table in this package.
type DB struct {
	root *bun.DB
	bun  bun.IDB
}

// Open connects to PostgreSQL when url is a postgres:// URL and to the
// SQLite file cuttle.db in dataDir otherwise, then applies migrations.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	db, err := connect(ctx, url, dataDir)
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx, schema); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func connect(ctx context.Context, url, dataDir string) (*DB, error) {
	var bdb *bun.DB
	if url != "" {
		sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url)))
		bdb = bun.NewDB(sqldb, pgdialect.New())
	} else {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("database: create data dir: %w", err)
		}
		file := filepath.Join(dataDir, "cuttle.db")
		if err := restrictFiles(file); err != nil {
			return nil, err
		}
		dsn := "file:" + file +
			"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		sqldb, err := sql.Open(sqliteshim.ShimName, dsn)
		if err != nil {
			return nil, fmt.Errorf("database: open sqlite: %w", err)
		}
		// SQLite allows one writer; a single connection turns lock
		// contention into queueing instead of SQLITE_BUSY errors.
		sqldb.SetMaxOpenConns(1)
		bdb = bun.NewDB(sqldb, sqlitedialect.New())
	}
	if err := bdb.PingContext(ctx); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("database: connect: %w", err)
	}
	return &DB{root: bdb, bun: bdb}, nil
}

// restrictFiles makes the SQLite database readable by the server's user
// only: it holds video passwords, the OAuth client secret and e-mail
// addresses. SQLite gives its -wal and -shm files the database file's
// mode, so creating the file first with 0600 covers them; files made by
// an earlier version are tightened.
func restrictFiles(file string) error {
	f, err := os.OpenFile(file, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("database: create %s: %w", filepath.Base(file), err)
	}
	f.Close()
	for _, name := range []string{file, file + "-wal", file + "-shm"} {
		if err := os.Chmod(name, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("database: restrict %s: %w", filepath.Base(name), err)
		}
	}
	return nil
}

// Close releases the connections.
func (db *DB) Close() error { return db.root.Close() }

// Ping checks the database answers, for health checks.
func (db *DB) Ping(ctx context.Context) error { return db.root.PingContext(ctx) }

// Tx runs fn in a transaction, committing when it returns nil.
func (db *DB) Tx(ctx context.Context, fn func(tx *DB) error) error {
	return db.bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(&DB{root: db.root, bun: tx})
	})
}

// mapErr turns driver errors into this package's sentinel errors.
func mapErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case isUniqueViolation(err):
		return fmt.Errorf("%s: %w", what, ErrConflict)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

func isUniqueViolation(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C') == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
