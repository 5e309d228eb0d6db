package netlimit

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Listener caps how many connections one client key holds open at once;
// a connection over the cap gets a short 429 answer and is closed.
// Connections from trusted proxies are not capped: each carries many
// clients, whose requests the per-client limits still count separately
// by the forwarded address.
type Listener struct {
	net.Listener
	open    *Counter
	trusted []netip.Prefix
	log     *slog.Logger
}

// NewListener wraps ln; max is the cap per client key.
func NewListener(ln net.Listener, max int, trusted []netip.Prefix, log *slog.Logger) *Listener {
	return &Listener{Listener: ln, open: NewCounter(max), trusted: trusted, log: log}
}

// Accept returns the next connection whose client is under the cap.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
		if err != nil || contains(l.trusted, ap.Addr()) {
			return c, nil
		}
		key := Key(ap.Addr().String())
		if !l.open.Acquire(key) {
			l.log.Debug("connection refused: too many from this client", "client", key)
			refuse(c)
			continue
		}
		return &conn{Conn: c, release: func() { l.open.Release(key) }}, nil
	}
}

// tooManyConns is written to a refused connection, so its client learns
// why rather than seeing a reset.
var tooManyConns = func() []byte {
	body := `{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"too many connections from this address"}`
	return []byte(fmt.Sprintf("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/problem+json\r\n"+
		"Connection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
}()

func refuse(c net.Conn) {
	// A fresh socket's send buffer takes these bytes at once; the
	// deadline only guards the accepting loop against the unexpected.
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write(tooManyConns)
	_ = c.Close()
}

// conn gives its client's place back when closed, once.
type conn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *conn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
