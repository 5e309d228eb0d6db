// Package trackertest is a WebTorrent tracker client reduced to its JSON
// messages, for tests of the tracker and of the servers that mount it.
package trackertest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Client is one tracker socket. A goroutine reads every message into a
// channel, so a test can wait for one with a bound.
type Client struct {
	t   testing.TB
	ws  *websocket.Conn
	in  chan map[string]any
	end error // why the socket ended, once in is closed
}

// Dial opens a socket to url. When the server refuses the upgrade it
// returns nil and the HTTP status of the refusal.
func Dial(t testing.TB, url string) (*Client, int) {
	t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		if res == nil {
			t.Fatalf("dial tracker: %v", err)
		}
		return nil, res.StatusCode
	}
	c := &Client{t: t, ws: ws, in: make(chan map[string]any, 64)}
	go c.read()
	t.Cleanup(func() { ws.Close() })
	return c, res.StatusCode
}

// MustDial is Dial for sockets the server must accept.
func MustDial(t testing.TB, url string) *Client {
	t.Helper()
	c, status := Dial(t, url)
	if c == nil {
		t.Fatalf("tracker socket refused: %d", status)
	}
	return c
}

func (c *Client) read() {
	defer close(c.in)
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			c.end = err
			return
		}
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			c.in <- m
		}
	}
}

// Send writes one message.
func (c *Client) Send(m map[string]any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(m); err != nil {
		c.t.Fatalf("send to tracker: %v", err)
	}
}

// Next returns the next message; the bound only keeps a broken server
// from hanging the test.
func (c *Client) Next() map[string]any {
	c.t.Helper()
	select {
	case m, ok := <-c.in:
		if !ok {
			c.t.Fatalf("tracker socket ended: %v", c.end)
		}
		return m
	case <-time.After(30 * time.Second):
		c.t.Fatal("no tracker message in 30 s")
	}
	return nil
}

// Quiet fails the test if a message arrives within d.
func (c *Client) Quiet(d time.Duration) {
	c.t.Helper()
	select {
	case m := <-c.in:
		c.t.Fatalf("unexpected message %v", m)
	case <-time.After(d):
	}
}

// Messages is every message received and not read yet; it is closed
// when the socket ends, and End then tells why.
func (c *Client) Messages() <-chan map[string]any { return c.in }

// End is why the socket ended, once Messages is closed.
func (c *Client) End() error { return c.end }

// Close closes the socket from the client's side.
func (c *Client) Close() { _ = c.ws.Close() }

// CutOff reads until the server ends the socket with a policy-violation
// close, as the tracker does when a socket's access is withdrawn, and
// returns the reason it gave. The socket must receive no offer or answer
// on the way: no viewer's address, nothing to answer.
func (c *Client) CutOff() string {
	c.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				var ce *websocket.CloseError
				if !errors.As(c.end, &ce) || ce.Code != websocket.ClosePolicyViolation {
					c.t.Fatalf("socket ended with %v, want a close frame with code %d", c.end, websocket.ClosePolicyViolation)
				}
				return ce.Text
			}
			if m["offer"] != nil || m["answer"] != nil {
				c.t.Fatalf("a socket whose access was withdrawn received %v", m)
			}
		case <-timeout:
			c.t.Fatal("the tracker kept a socket whose access was withdrawn")
		}
	}
}
