package api_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

// dialFrom opens a TCP connection to the server from the loopback
// address ip.
func dialFrom(t *testing.T, s *servertest.Server, ip string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// Only a guard against a hung test: what is checked is whether the
	// server answered or closed.
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	return c
}

// A client that sends its body slower than the minimum rate is cut off;
// the server goes on serving others.
func TestSlowBodyIsCut(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, func(c *config.Config) {
		c.Connections.BodyGrace, c.Connections.BodyMinRate = time.Second, 1<<10
	})
	c := dialFrom(t, s, "127.0.0.7")
	if _, err := io.WriteString(c, "POST /api/v1/users/token HTTP/1.1\r\nHost: x\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type"); err != nil {
		t.Fatal(err)
	}
	// The client now sends nothing more; the server must give up on it,
	// and say why.
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the server still waits for a body that stopped arriving")
	}
	if err != nil {
		t.Fatalf("no answer to a body that stopped arriving: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout {
		t.Errorf("a body that stopped arriving answered %d, want 408", res.StatusCode)
	}
	s.Anonymous(t).Do("GET", "/healthz", nil).Expect(http.StatusOK)
}

// One address holds a bounded number of connections; more are refused
// with 429, while other addresses are still served.
func TestConnectionCapPerAddress(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, func(c *config.Config) { c.Connections.MaxPerAddr = 2 })
	dialFrom(t, s, "127.0.0.8")
	dialFrom(t, s, "127.0.0.8")
	extra := dialFrom(t, s, "127.0.0.8")
	if _, err := io.WriteString(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(extra), nil)
	if err != nil {
		t.Fatalf("third connection: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third connection from one address answered %d, want 429", res.StatusCode)
	}
	s.AnonymousFrom(t, "127.0.0.9").Do("GET", "/healthz", nil).Expect(http.StatusOK)
}
