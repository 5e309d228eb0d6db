package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cuttle.video/server/config"
	"cuttle.video/server/p2p"
	"cuttle.video/server/servertest"
)

// A flood of wrong video passwords from many addresses does not lock out
// viewers who know the password; it does hold each guessing address to
// one more wrong guess per window.
func TestVideoPasswordFloodKeepsRightPassword(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	owner := s.NewUser(t, 2, -1)
	v := "/api/v1/videos/" + owner.PublishProtected(servertest.Clip(t), "right-password").Video.UUID
	for i := range 10 {
		from := s.AnonymousFrom(t, fmt.Sprintf("127.0.1.%d", i+1))
		for j := range 10 {
			withPassword(from, "GET", v, fmt.Sprintf("guess-%d-%d", i, j)).Problem(http.StatusForbidden)
		}
	}
	// A viewer who knows the password still gets in, token included.
	viewer := s.AnonymousFrom(t, "127.0.2.1")
	withPassword(viewer, "GET", v, "right-password").Expect(http.StatusOK)
	withPassword(viewer, "POST", v+"/token", "right-password").Expect(http.StatusOK)
	// A new guessing address has one wrong guess, then waits.
	late := s.AnonymousFrom(t, "127.0.2.2")
	withPassword(late, "GET", v, "guess-late").Problem(http.StatusForbidden)
	withPassword(late, "GET", v, "guess-late-2").Problem(http.StatusTooManyRequests)
	withPassword(late, "GET", v, "right-password").Problem(http.StatusTooManyRequests)
}

// tokenAttempt posts a password grant as c; forwardedFor, when set, is
// sent as X-Forwarded-For, as a proxy in front would.
func tokenAttempt(c *servertest.Client, forwardedFor, username, password string) *servertest.Response {
	var cl struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	c.Do("GET", "/api/v1/oauth-clients/local", nil).Expect(http.StatusOK).JSON(&cl)
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password},
		"client_id": {cl.ID}, "client_secret": {cl.Secret}}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if forwardedFor != "" {
		h.Set("X-Forwarded-For", forwardedFor)
	}
	return c.Raw("POST", "/api/v1/users/token", strings.NewReader(form.Encode()), h)
}

func loginLimit(burst int) func(*config.Config) {
	return func(c *config.Config) { c.LoginRateLimit.Burst = burst }
}

// Behind a trusted proxy, the clients it forwards are limited apart,
// IPv6 clients per /64.
func TestClientKeysBehindTrustedProxy(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, loginLimit(2), func(c *config.Config) {
		c.TrustedProxies = []string{"127.0.0.1/32"}
	})
	proxy := s.AnonymousFrom(t, "127.0.0.1")
	exhaust := func(client string) {
		t.Helper()
		for range 2 {
			tokenAttempt(proxy, client, "nobody", "wrong").Problem(http.StatusBadRequest)
		}
		tokenAttempt(proxy, client, "nobody", "wrong").Problem(http.StatusTooManyRequests)
	}
	exhaust("203.0.113.1")
	tokenAttempt(proxy, "203.0.113.2", "nobody", "wrong").Problem(http.StatusBadRequest)
	// The proxy appends the address it saw to what the client sent.
	tokenAttempt(proxy, "198.51.100.7, 203.0.113.1", "nobody", "wrong").Problem(http.StatusTooManyRequests)

	exhaust("2001:db8:1:2::1")
	tokenAttempt(proxy, "2001:db8:1:2:ffff::9", "nobody", "wrong").Problem(http.StatusTooManyRequests)
	tokenAttempt(proxy, "2001:db8:1:3::1", "nobody", "wrong").Problem(http.StatusBadRequest)
}

// Without trusted proxies, X-Forwarded-For is the client's word and is
// ignored.
func TestForgedForwardedForIgnored(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, loginLimit(2))
	c := s.AnonymousFrom(t, "127.0.0.3")
	tokenAttempt(c, "203.0.113.1", "nobody", "wrong").Problem(http.StatusBadRequest)
	tokenAttempt(c, "203.0.113.2", "nobody", "wrong").Problem(http.StatusBadRequest)
	tokenAttempt(c, "203.0.113.3", "nobody", "wrong").Problem(http.StatusTooManyRequests)
	tokenAttempt(s.AnonymousFrom(t, "127.0.0.4"), "203.0.113.3", "nobody", "wrong").Problem(http.StatusBadRequest)
}

// Wrong passwords for one account from many addresses slow the guessing
// down to one per address, and the owner still logs in.
func TestLoginFailuresPerAccount(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, func(c *config.Config) { c.LoginFailures.Burst = 4 })
	user := s.NewUser(t, 2, -1)
	for i := range 4 {
		from := s.AnonymousFrom(t, fmt.Sprintf("127.0.1.%d", i+1))
		tokenAttempt(from, "", user.Username, "wrong").Problem(http.StatusBadRequest)
	}
	late := s.AnonymousFrom(t, "127.0.2.1")
	tokenAttempt(late, "", user.Username, "wrong").Problem(http.StatusBadRequest)
	res := tokenAttempt(late, "", user.Username, "wrong-again")
	res.Problem(http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	tokenAttempt(late, "", user.Username, user.Password).Problem(http.StatusTooManyRequests)
	// The limit does not tell whose e-mail address is whose: the account's
	// address answers like an unknown one.
	tokenAttempt(late, "", user.Username+"@example.com", "wrong").Problem(http.StatusBadRequest)
	tokenAttempt(late, "", "nobody@example.com", "wrong").Problem(http.StatusBadRequest)
	// Other accounts are not concerned, and the owner gets in from where
	// nobody guessed.
	other := s.NewUser(t, 2, -1)
	tokenAttempt(late, "", other.Username, other.Password).Expect(http.StatusOK)
	tokenAttempt(s.AnonymousFrom(t, "127.0.2.2"), "", user.Username, user.Password).Expect(http.StatusOK)
}

// Changing the password checks the current one, which counts against the
// account like a login.
func TestPasswordChangeLimited(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, func(c *config.Config) { c.LoginFailures.Burst = 3 })
	user := s.NewUser(t, 2, -1)
	change := func(current string) *servertest.Response {
		return user.Do("PUT", "/api/v1/users/me", map[string]any{"password": "a-new-password", "currentPassword": current})
	}
	for range 3 {
		if p := change("wrong").Problem(http.StatusBadRequest); p.InvalidParams["currentPassword"] == "" {
			t.Fatalf("wrong current password: %+v", p)
		}
	}
	change("wrong").Problem(http.StatusTooManyRequests)
	change(user.Password).Problem(http.StatusTooManyRequests)
	// Logins from the same address count the same failures.
	tokenAttempt(s.Anonymous(t), "", user.Username, user.Password).Problem(http.StatusTooManyRequests)
}

// /metrics on the main address is for admins; players' reports are
// bounded per client.
func TestMetricsAdminOnlyAndReportsBounded(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	s.Anonymous(t).Do("GET", "/metrics", nil).Problem(http.StatusUnauthorized)
	s.NewUser(t, 2, -1).Do("GET", "/metrics", nil).Problem(http.StatusForbidden)
	res := s.Root(t).Do("GET", "/metrics", nil).Expect(http.StatusOK)
	if !strings.Contains(string(res.Body), "cuttle_playback_reports_total") {
		t.Fatalf("metrics:\n%s", res.Body)
	}

	player := s.AnonymousFrom(t, "127.0.0.11")
	report := map[string]any{"playerMode": "p2p-media-loader", "videoId": 1, "downloadedBytesHTTP": 1}
	limited := 0
	for range 61 {
		if player.Do("POST", "/api/v1/metrics/playback", report).StatusCode == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 1 {
		t.Fatalf("%d of 61 reports in a row were refused, want the last one", limited)
	}
	s.AnonymousFrom(t, "127.0.0.12").Do("POST", "/api/v1/metrics/playback", report).Expect(http.StatusNoContent)
}

// Tracker sockets count per client key too: behind a trusted proxy per
// forwarded client, IPv6 clients per /64.
func TestTrackerSocketsPerClientBehindProxy(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding, func(c *config.Config) {
		c.TrustedProxies = []string{"127.0.0.1"}
		c.P2P.MaxConnsPerAddr = 1
	})
	owner := s.NewUser(t, 2, -1)
	id := owner.UploadVideo(servertest.Clip(t), "Swarmed", 1).Video.UUID
	servertest.WaitState(t, owner, id, 3*time.Minute, 1)
	dial := func(client string) int {
		t.Helper()
		ws, res, err := websocket.DefaultDialer.Dial(p2p.TrackerURL(s.URL, id, ""), http.Header{"X-Forwarded-For": {client}})
		if err != nil {
			if res == nil {
				t.Fatalf("dial the tracker: %v", err)
			}
			return res.StatusCode
		}
		t.Cleanup(func() { ws.Close() })
		return http.StatusSwitchingProtocols
	}
	for _, step := range []struct {
		client string
		want   int
	}{
		{"203.0.113.1", http.StatusSwitchingProtocols},
		{"203.0.113.1", http.StatusTooManyRequests},
		{"203.0.113.2", http.StatusSwitchingProtocols},
		{"2001:db8:5:6::1", http.StatusSwitchingProtocols},
		{"2001:db8:5:6::2", http.StatusTooManyRequests},
		{"2001:db8:5:7::1", http.StatusSwitchingProtocols},
	} {
		if got := dial(step.client); got != step.want {
			t.Errorf("tracker socket for %s: %d, want %d", step.client, got, step.want)
		}
	}
}
