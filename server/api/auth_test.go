package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

func TestAuthFlow(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		anon := s.Anonymous(t)

		var tok servertest.Tokens
		anon.TokenRequest(url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {servertest.RootPassword}}).
			Expect(http.StatusOK).JSON(&tok)
		if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.RefreshToken == "" || tok.ExpiresIn != 86400 {
			t.Fatalf("token answer = %+v", tok)
		}
		root := s.WithToken(t, tok.AccessToken)

		var me struct {
			Username       string           `json:"username"`
			Role           struct{ ID int } `json:"role"`
			VideoQuota     int64            `json:"videoQuota"`
			VideoQuotaUsed *int64           `json:"videoQuotaUsed"`
			VideoChannels  []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"videoChannels"`
		}
		root.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
		if me.Username != "root" || me.Role.ID != 0 || me.VideoQuotaUsed == nil || len(me.VideoChannels) != 1 {
			t.Fatalf("me = %+v", me)
		}

		// Wrong password, unknown user, wrong client, unknown grant.
		p := anon.TokenRequest(url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {"nope-nope"}}).Problem(http.StatusBadRequest)
		if p.Code != "invalid_grant" {
			t.Fatalf("wrong password: code %q", p.Code)
		}
		p = anon.TokenRequest(url.Values{"grant_type": {"password"}, "username": {"ghost"}, "password": {"whatever"}}).Problem(http.StatusBadRequest)
		if p.Code != "invalid_grant" {
			t.Fatalf("unknown user: code %q", p.Code)
		}
		p = anon.Raw("POST", "/api/v1/users/token", stringsReader("grant_type=password&client_id=x&client_secret=y&username=root&password=z"),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}).Problem(http.StatusBadRequest)
		if p.Code != "invalid_client" {
			t.Fatalf("wrong client: code %q", p.Code)
		}
		p = anon.TokenRequest(url.Values{"grant_type": {"client_credentials"}}).Problem(http.StatusBadRequest)
		if p.Code != "unsupported_grant_type" {
			t.Fatalf("unknown grant: code %q", p.Code)
		}

		// Refresh: the new pair works, the old refresh token does not.
		var fresh servertest.Tokens
		anon.TokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}).Expect(http.StatusOK).JSON(&fresh)
		if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
			t.Fatal("refresh returned the same tokens")
		}
		anon.TokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}).Problem(http.StatusBadRequest)
		p = root.Do("GET", "/api/v1/users/me", nil).Problem(http.StatusUnauthorized)
		if p.Code != "invalid_token" {
			t.Fatalf("refreshed-away access token: code %q", p.Code)
		}
		root.Token = fresh.AccessToken
		root.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK)

		// Revoke ends the session.
		root.Do("POST", "/api/v1/users/revoke-token", nil).Expect(http.StatusOK)
		root.Do("GET", "/api/v1/users/me", nil).Problem(http.StatusUnauthorized)
		anon.TokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {fresh.RefreshToken}}).Problem(http.StatusBadRequest)

		// Expiry: access tokens live a day, refresh tokens two weeks.
		root = s.Root(t)
		var later servertest.Tokens
		anon.TokenRequest(url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {servertest.RootPassword}}).
			Expect(http.StatusOK).JSON(&later)
		s.Clock.Advance(25 * time.Hour)
		p = root.Do("GET", "/api/v1/users/me", nil).Problem(http.StatusUnauthorized)
		if p.Code != "invalid_token" {
			t.Fatalf("expired token: code %q", p.Code)
		}
		anon.TokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {later.RefreshToken}}).Expect(http.StatusOK)
		s.Clock.Advance(15 * 24 * time.Hour)
		anon.TokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {later.RefreshToken}}).Problem(http.StatusBadRequest)

		// Garbage in the Authorization header.
		anon.Raw("GET", "/api/v1/users/me", nil, http.Header{"Authorization": {"Basic cm9vdDpyb290"}}).Problem(http.StatusUnauthorized)
		anon.Do("GET", "/api/v1/users/me", nil).Problem(http.StatusUnauthorized)
	})
}

func TestTokenEndpointRateLimit(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, func(c *config.Config) {
		c.LoginRateLimit = config.RateLimit{Burst: 3, Window: time.Minute}
	})
	anon := s.Anonymous(t)
	wrong := url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {"guess-guess"}}
	for i := 0; i < 3; i++ {
		anon.TokenRequest(wrong).Problem(http.StatusBadRequest)
	}
	res := anon.TokenRequest(wrong)
	res.Problem(http.StatusTooManyRequests)
	if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q, want a positive number of seconds", ra)
	}
	// Even the right password waits: guessing cannot be interleaved with it.
	anon.TokenRequest(url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {servertest.RootPassword}}).
		Problem(http.StatusTooManyRequests)
	s.Clock.Advance(time.Minute)
	anon.TokenRequest(url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {servertest.RootPassword}}).
		Expect(http.StatusOK)
}
