package accounts

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cuttle.video/server/auth"
	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// RootUsername is the admin created on first start.
const RootUsername = "root"

// TokenPair is what a successful grant returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int64
	RefreshIn    int64
}

// Bootstrap makes sure the OAuth client and the root admin exist. When it
// creates root without a configured password it generates one and returns
// it, so the caller can print it once.
func (s *Service) Bootstrap(ctx context.Context, rootPassword string) (generated string, created bool, err error) {
	if _, err := s.db.LocalClient(ctx, auth.NewToken()[:32], auth.NewToken()); err != nil {
		return "", false, problem.Internal(err)
	}
	n, err := s.db.CountUsers(ctx)
	if err != nil {
		return "", false, problem.Internal(err)
	}
	if n > 0 {
		return "", false, nil
	}
	password := rootPassword
	if password == "" {
		password = auth.NewToken()[:20]
		generated = password
	}
	unlimited := int64(-1)
	if _, err := s.CreateUser(ctx, NewUser{
		Username: RootUsername, Email: "admin@localhost.localdomain", Password: password,
		Role: database.RoleAdmin, VideoQuota: &unlimited, VideoQuotaDaily: &unlimited,
	}); err != nil {
		return "", false, err
	}
	return generated, true, nil
}

// Client returns the local OAuth client credentials.
func (s *Service) Client(ctx context.Context) (*database.OAuthClient, error) {
	c, err := s.db.LocalClient(ctx, auth.NewToken()[:32], auth.NewToken())
	if err != nil {
		return nil, problem.Internal(err)
	}
	return c, nil
}

func (s *Service) checkClient(ctx context.Context, id, secret string) error {
	c, err := s.Client(ctx)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(c.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(c.ClientSecret)) != 1 {
		return problem.BadRequest("Invalid client: client is invalid").WithCode(problem.CodeInvalidClient)
	}
	return nil
}

// ErrBlocked is wrapped by the refusals of a blocked user's login,
// refresh and token: the detail sent to clients is PeerTube's wording,
// not something to test.
var ErrBlocked = errors.New("accounts: user is blocked")

func invalidGrant(detail string) *problem.Problem {
	return problem.BadRequest("Invalid grant: %s", detail).WithCode(problem.CodeInvalidGrant)
}

// Login checks a username (or e-mail) and password and opens a session.
// client is the caller's key (see netlimit.Key), which wrong passwords
// count against, per account (see auth.Guesses).
func (s *Service) Login(ctx context.Context, clientID, clientSecret, login, password, client string) (*TokenPair, error) {
	if err := s.checkClient(ctx, clientID, clientSecret); err != nil {
		return nil, err
	}
	u, err := s.db.UserByLogin(ctx, login)
	if err != nil && !errors.Is(err, database.ErrNotFound) {
		return nil, problem.Internal(err)
	}
	// Wrong passwords count against the login as typed, known or not, and
	// unknown ones are hashed like accounts: neither the limit, nor which
	// logins share it, nor the response time tells which accounts exist
	// or which e-mail address is whose.
	account, hash := loginKey(login), dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	err = s.checkPassword(ctx, account, client, hash, password)
	if errors.Is(err, auth.ErrMismatch) {
		return nil, invalidGrant("user credentials are invalid")
	}
	if err != nil {
		return nil, err
	}
	if u.Blocked {
		return nil, invalidGrant("user is blocked").WithErr(ErrBlocked)
	}
	return s.issue(ctx, u.ID)
}

func loginKey(login string) string { return "login " + strings.ToLower(login) }

// accountKey is what a signed-in user's password checks count against:
// the same as logins by their username.
func accountKey(u *database.User) string { return loginKey(u.Username) }

// checkPassword checks a password of the account, unless client has used
// up its wrong guesses at it, and counts a wrong one. It returns
// auth.ErrMismatch for a wrong password, a problem otherwise.
func (s *Service) checkPassword(ctx context.Context, account, client, hash, password string) error {
	if blocked, wait := s.failures.Blocked(account, client); blocked {
		secs := int(wait.Seconds()) + 1
		return problem.New(http.StatusTooManyRequests, "too many wrong passwords for this account; retry in %d seconds", secs).
			WithHeader("Retry-After", strconv.Itoa(secs))
	}
	err := s.hasher.Check(ctx, hash, password)
	if err != nil && ctx.Err() != nil {
		return problem.Internal(err)
	}
	if err != nil {
		s.failures.Fail(account, client)
		return auth.ErrMismatch
	}
	return nil
}

// dummyHash stands in for unknown users; nobody knows its password, so
// it never matches.
var dummyHash, _ = auth.HashPassword(auth.NewToken())

// Refresh trades a refresh token for a new pair; the old pair stops
// working, so a stolen refresh token is useful once at most.
func (s *Service) Refresh(ctx context.Context, clientID, clientSecret, refresh string) (*TokenPair, error) {
	if err := s.checkClient(ctx, clientID, clientSecret); err != nil {
		return nil, err
	}
	t, err := s.db.TokenByRefreshHash(ctx, auth.HashToken(refresh))
	if errors.Is(err, database.ErrNotFound) {
		return nil, invalidGrant("refresh token is invalid")
	}
	if err != nil {
		return nil, problem.Internal(err)
	}
	if s.now().After(t.RefreshExpiresAt) {
		return nil, invalidGrant("refresh token has expired")
	}
	if t.User.Blocked {
		return nil, invalidGrant("user is blocked").WithErr(ErrBlocked)
	}
	if err := s.db.DeleteToken(ctx, t.ID); err != nil {
		// Lost a race with another refresh of the same token.
		return nil, invalidGrant("refresh token is invalid")
	}
	return s.issue(ctx, t.UserID)
}

func (s *Service) issue(ctx context.Context, userID int64) (*TokenPair, error) {
	now := s.now().UTC()
	access, refresh := auth.NewToken(), auth.NewToken()
	t := &database.Token{
		UserID: userID, AccessHash: auth.HashToken(access), RefreshHash: auth.HashToken(refresh),
		AccessExpiresAt: now.Add(AccessTTL), RefreshExpiresAt: now.Add(RefreshTTL),
	}
	if err := s.db.CreateToken(ctx, t); err != nil {
		return nil, problem.Internal(err)
	}
	// Sessions expire on their own; sweeping at login keeps the table
	// small without a timer.
	if err := s.db.DeleteExpiredTokens(ctx); err != nil {
		s.log.WarnContext(ctx, "sweep expired tokens", "err", err)
	}
	return &TokenPair{AccessToken: access, RefreshToken: refresh,
		ExpiresIn: int64(AccessTTL.Seconds()), RefreshIn: int64(RefreshTTL.Seconds())}, nil
}

// Authenticate resolves a bearer access token to its session and user.
func (s *Service) Authenticate(ctx context.Context, access string) (*database.Token, error) {
	t, err := s.db.TokenByAccessHash(ctx, auth.HashToken(access))
	if errors.Is(err, database.ErrNotFound) {
		return nil, invalidToken("Invalid token: access token is invalid")
	}
	if err != nil {
		return nil, problem.Internal(err)
	}
	if s.now().After(t.AccessExpiresAt) {
		return nil, invalidToken("Invalid token: access token has expired")
	}
	if t.User.Blocked {
		return nil, invalidToken("Invalid token: user is blocked").WithErr(ErrBlocked)
	}
	return t, nil
}

func invalidToken(detail string) *problem.Problem {
	return problem.New(http.StatusUnauthorized, "%s", detail).WithCode(problem.CodeInvalidToken)
}

// Revoke ends the session of an access token.
func (s *Service) Revoke(ctx context.Context, tokenID int64) error {
	if err := s.db.DeleteToken(ctx, tokenID); err != nil && !errors.Is(err, database.ErrNotFound) {
		return problem.Internal(err)
	}
	return nil
}
