package database

import (
	"context"
	"time"
)

// LocalClient returns the instance's OAuth client, creating it with the
// given credentials the first time.
func (db *DB) LocalClient(ctx context.Context, newID, newSecret string) (*OAuthClient, error) {
	c := new(OAuthClient)
	err := db.bun.NewSelect().Model(c).OrderExpr("id ASC").Limit(1).Scan(ctx)
	if err == nil {
		return c, nil
	}
	if err = mapErr(err, "local client"); !isNotFound(err) {
		return nil, err
	}
	c = &OAuthClient{ClientID: newID, ClientSecret: newSecret}
	if _, err := db.bun.NewInsert().Model(c).Exec(ctx); err != nil {
		return nil, mapErr(err, "insert local client")
	}
	return c, nil
}

// CreateToken stores a token pair.
func (db *DB) CreateToken(ctx context.Context, t *Token) error {
	t.CreatedAt = time.Now().UTC()
	_, err := db.bun.NewInsert().Model(t).Exec(ctx)
	return mapErr(err, "insert token")
}

// TokenByAccessHash loads a token and its user by the access token's hash.
func (db *DB) TokenByAccessHash(ctx context.Context, hash string) (*Token, error) {
	return db.tokenBy(ctx, "token.access_hash = ?", hash)
}

// TokenByRefreshHash loads a token and its user by the refresh token's hash.
func (db *DB) TokenByRefreshHash(ctx context.Context, hash string) (*Token, error) {
	return db.tokenBy(ctx, "token.refresh_hash = ?", hash)
}

func (db *DB) tokenBy(ctx context.Context, where, hash string) (*Token, error) {
	t := new(Token)
	err := db.bun.NewSelect().Model(t).Relation("User").Relation("User.Account").Where(where, hash).Scan(ctx)
	return t, mapErr(err, "token")
}

// DeleteToken revokes one token pair.
func (db *DB) DeleteToken(ctx context.Context, id int64) error {
	res, err := db.bun.NewDelete().Model((*Token)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return mapErr(err, "delete token")
	}
	return expectRow(res, "delete token")
}

// DeleteUserTokens revokes every session of a user, after a password
// reset or a block.
func (db *DB) DeleteUserTokens(ctx context.Context, userID int64) error {
	_, err := db.bun.NewDelete().Model((*Token)(nil)).Where("user_id = ?", userID).Exec(ctx)
	return mapErr(err, "delete user tokens")
}

// DeleteExpiredTokens removes tokens whose refresh token has expired.
func (db *DB) DeleteExpiredTokens(ctx context.Context) error {
	_, err := db.bun.NewDelete().Model((*Token)(nil)).Where("refresh_expires_at < ?", time.Now().UTC()).Exec(ctx)
	return mapErr(err, "delete expired tokens")
}
