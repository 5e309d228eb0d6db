// Package safehttp is the one HTTP client for requests to other servers
// (fetches of remote objects, deliveries to their inboxes). Their URLs
// come from strangers, so every request is held to a policy: the
// addresses it may connect to (public unicast, plus the ranges the
// configuration opens), checked on the resolved address at connection
// time for every hop of a redirect; the schemes it may use; and bounds
// on its time, its redirects and the size of its answer.
package safehttp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// Config is the policy of a Client.
type Config struct {
	// UserAgent is sent with every request that does not set its own,
	// such as "Cuttle/1.2.0 (+https://video.example)".
	UserAgent string
	// Timeout bounds a whole exchange: connecting, every redirect, and
	// reading the body to its end.
	Timeout time.Duration
	// MaxBodyBytes bounds the body of every answer, decompressed.
	MaxBodyBytes int64
	// MaxRedirects is how many redirects one request may follow; 0
	// follows none and fails on the first.
	MaxRedirects int

	// AllowHTTP allows plain http:// besides https://, for servers on
	// loopback in tests and development.
	AllowHTTP bool
	// AllowLoopback opens 127.0.0.0/8 and ::1.
	AllowLoopback bool
	// AllowPrivate opens the private ranges: 10.0.0.0/8, 172.16.0.0/12,
	// 192.168.0.0/16, 100.64.0.0/10 and fc00::/7, for instances that
	// federate over an internal network.
	AllowPrivate bool
	// Allow opens these prefixes whatever ranges they are in, for a
	// narrower opening than the switches above (one loopback address, a
	// peering network). IPv4 prefixes are written as such: an IPv4
	// address is always compared in its IPv4 form.
	Allow []netip.Prefix
	// RootCAs are the authorities trusted for https; nil means the
	// system's.
	RootCAs *x509.CertPool
}

// validate names the field at fault.
func (c Config) validate() error {
	switch {
	case c.UserAgent == "":
		return errors.New("safehttp: UserAgent is empty")
	case c.Timeout <= 0:
		return fmt.Errorf("safehttp: Timeout must be positive, not %s", c.Timeout)
	case c.MaxBodyBytes <= 0:
		return fmt.Errorf("safehttp: MaxBodyBytes must be positive, not %d", c.MaxBodyBytes)
	case c.MaxRedirects < 0:
		return fmt.Errorf("safehttp: MaxRedirects must not be negative, not %d", c.MaxRedirects)
	}
	for _, p := range c.Allow {
		if !p.IsValid() {
			return fmt.Errorf("safehttp: Allow holds an invalid prefix %q", p)
		}
	}
	return nil
}

// Client sends requests under its Config's policy. It is safe for
// concurrent use and keeps connections open for reuse; a redirect or a
// later request that leads anywhere the policy refuses fails before any
// packet is sent there.
type Client struct {
	hc        *http.Client
	tr        *http.Transport
	allowHTTP bool
}

// New returns a Client for cfg, or an error naming the field of cfg that
// is wrong.
func New(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	allow := make([]netip.Prefix, len(cfg.Allow))
	for i, p := range cfg.Allow {
		allow[i] = p.Masked()
	}
	pol := policy{allow: allow, allowLoopback: cfg.AllowLoopback, allowPrivate: cfg.AllowPrivate}
	dialer := &net.Dialer{KeepAlive: 30 * time.Second, Control: pol.control}
	tr := &http.Transport{
		// No Proxy: a proxy taken from the environment would make every
		// connection to the proxy's address, and the check of the real
		// destination would never happen.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		// Headers are not bounded by MaxBodyBytes; no remote server we
		// talk to needs more than this for them.
		MaxResponseHeaderBytes: 64 << 10,
	}
	g := &guard{base: tr, allowHTTP: cfg.AllowHTTP, userAgent: cfg.UserAgent, maxBody: cfg.MaxBodyBytes}
	hc := &http.Client{
		Transport: g,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > cfg.MaxRedirects {
				return fmt.Errorf("%w: more than %d, the last to %s", ErrTooManyRedirects, cfg.MaxRedirects, req.URL.Redacted())
			}
			if err := g.checkScheme(req.URL.Scheme); err != nil {
				return fmt.Errorf("redirect from %s: %w", via[len(via)-1].URL.Redacted(), err)
			}
			return nil
		},
	}
	return &Client{hc: hc, tr: tr, allowHTTP: cfg.AllowHTTP}, nil
}

// AllowsHTTP says plain http:// is allowed: where a URL is built from a
// bare host name (WebFinger), that is the scheme the other server speaks.
func (c *Client) AllowsHTTP() bool { return c.allowHTTP }

// Do sends req, following redirects, under the policy and within the
// Timeout from the moment it is called, and req's context. The body of
// the response it returns fails with ErrBodyTooLarge once read past
// MaxBodyBytes; the caller closes it. Every error wraps what went wrong:
// errors.Is(err, ErrForbidden) for a refusal of the policy,
// ErrTooManyRedirects, ErrBodyTooLarge, or the network's or context's
// error.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		// A response that comes with an error (a refused redirect) has
		// its body closed already and is of no use to the caller.
		return nil, err
	}
	return resp, nil
}

// CloseIdleConnections closes the connections kept for reuse, for a
// shutdown.
func (c *Client) CloseIdleConnections() {
	c.tr.CloseIdleConnections()
}

// guard is the transport of every hop, the first request and each
// redirect alike, so none skips the checks of scheme and size.
type guard struct {
	base      *http.Transport
	allowHTTP bool
	userAgent string
	maxBody   int64
}

func (g *guard) checkScheme(scheme string) error {
	if scheme == "https" || (scheme == "http" && g.allowHTTP) {
		return nil
	}
	return &SchemeError{Scheme: scheme}
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.checkScheme(req.URL.Scheme); err != nil {
		// A RoundTripper closes the request body, even on error.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if req.Header.Get("User-Agent") == "" {
		// A RoundTripper must not change the request it was given.
		req = req.Clone(req.Context())
		if req.Header == nil {
			req.Header = make(http.Header)
		}
		req.Header.Set("User-Agent", g.userAgent)
	}
	resp, err := g.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > g.maxBody {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %d bytes announced, more than %d", ErrBodyTooLarge, resp.ContentLength, g.maxBody)
	}
	resp.Body = &boundedBody{ReadCloser: resp.Body, limit: g.maxBody}
	return resp, nil
}
