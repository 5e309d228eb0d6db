package servertest

import (
	"net/url"
	"testing"
	"time"

	"cuttle.video/server/config"
)

// Federated lets a test server reach other test servers: plain http and
// loopback addresses, which a real instance refuses.
func Federated(c *config.Config) {
	c.Federation.AllowHTTP = true
	c.Federation.AllowNetworks = []string{"loopback"}
}

// Host is the server's host:port as other instances name it.
func (s *Server) Host() string {
	u, err := url.Parse(s.Config.PublicURL)
	if err != nil {
		panic(err)
	}
	return u.Host
}

// Eventually polls cond until it holds, failing the test with what cond
// last said after timeout: what travels between servers arrives in the
// background.
func Eventually(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
