package safehttp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testAgent = "Cuttle/0.0.0-test (+https://cuttle.test)"

// newClient returns a client with room for the tests' answers and plain
// http allowed, changed by edit.
func newClient(t *testing.T, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		UserAgent:    testAgent,
		Timeout:      30 * time.Second,
		MaxBodyBytes: 1 << 16,
		MaxRedirects: 3,
		AllowHTTP:    true,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// serve starts a server on 127.0.0.1 that counts the requests reaching it.
func serve(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func hello(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "hello "+r.UserAgent())
}

// get fetches url and reads the whole body.
func get(t *testing.T, c *Client, url string) (string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatalf("NewRequest %s: %v", url, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// port is the port of a test server's URL.
func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantForbiddenAddr(t *testing.T, err error, addr string) {
	t.Helper()
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("err = %v, want a refusal of the policy", err)
	}
	var ae *AddressError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an *AddressError", err)
	}
	if addr != "" && ae.Addr.Unmap().WithZone("") != netip.MustParseAddr(addr) {
		t.Fatalf("refused address %s, want %s (err %v)", ae.Addr, addr, err)
	}
}

func TestLoopbackRefusedUnlessAllowed(t *testing.T) {
	srv, hits := serve(t, hello)
	p := port(t, srv)
	urls := []string{
		srv.URL,
		"http://[::ffff:127.0.0.1]:" + p + "/",
		"http://localhost:" + p + "/",
	}
	for _, u := range urls {
		t.Run(u, func(t *testing.T) {
			_, err := get(t, newClient(t, nil), u)
			wantForbiddenAddr(t, err, "")
			if !strings.Contains(err.Error(), "loopback") {
				t.Errorf("err = %v, want it to say loopback", err)
			}
			if n := hits.Load(); n != 0 {
				t.Fatalf("the server got %d requests through a refused client", n)
			}
		})
	}

	allowed := map[string]func(*Config){
		"AllowLoopback":   func(c *Config) { c.AllowLoopback = true },
		"Allow 127.0.0.1": func(c *Config) { c.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} },
	}
	for name, edit := range allowed {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, edit)
			for _, u := range urls[:2] {
				body, err := get(t, c, u)
				if err != nil {
					t.Fatalf("%s: %v", u, err)
				}
				if body != "hello "+testAgent {
					t.Fatalf("%s: body %q, want the greeting with our user agent", u, body)
				}
			}
		})
	}
}

func TestInternalAddressesRefusedBeforeConnecting(t *testing.T) {
	srv, hits := serve(t, hello)
	p := port(t, srv)
	cases := []struct {
		url, addr, reason string
	}{
		{"http://10.0.0.1/", "10.0.0.1", "private"},
		{"http://172.16.5.4/", "172.16.5.4", "private"},
		{"http://192.168.1.1/", "192.168.1.1", "private"},
		{"http://100.64.0.1/", "100.64.0.1", "carrier-grade NAT"},
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254", "cloud metadata"},
		{"http://169.254.1.1/", "169.254.1.1", "link-local"},
		{"http://0.0.0.0:" + p + "/", "0.0.0.0", "unspecified"},
		{"http://[::]:" + p + "/", "::", "unspecified"},
		{"http://[::1]:" + p + "/", "::1", "loopback"},
		{"http://[::ffff:127.0.0.1]:" + p + "/", "127.0.0.1", "loopback"},
		{"http://[::ffff:10.0.0.1]/", "10.0.0.1", "private"},
		{"http://[::ffff:169.254.169.254]/", "169.254.169.254", "cloud metadata"},
		{"http://[64:ff9b::7f00:1]:" + p + "/", "64:ff9b::7f00:1", "carries 127.0.0.1"},
		{"http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe", "cloud metadata"},
		{"http://[2002:a00:1::1]/", "2002:a00:1::1", "carries 10.0.0.1"},
		{"http://[::127.0.0.1]:" + p + "/", "::7f00:1", "IPv4-compatible"},
		{"http://[fd00::1]/", "fd00::1", "unique local"},
		{"http://[fe80::1%25lo]/", "fe80::1", "link-local"},
		{"http://224.0.0.1/", "224.0.0.1", "multicast"},
		{"http://[ff02::1%25lo]/", "ff02::1", "multicast"},
		{"http://255.255.255.255/", "255.255.255.255", "broadcast"},
		{"http://240.0.0.1/", "240.0.0.1", "reserved"},
		{"http://198.18.0.1/", "198.18.0.1", "benchmarking"},
		{"http://192.0.2.1/", "192.0.2.1", "documentation"},
		{"http://[2001:db8::1]/", "2001:db8::1", "documentation"},
		{"http://[4000::1]/", "4000::1", "outside 2000::/3"},
	}
	c := newClient(t, nil)
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			start := time.Now()
			_, err := get(t, c, tc.url)
			// The client's timeout is 30 s: a refusal this fast is one made
			// before connecting, not an unreachable host timing out.
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("refused after %s, want at once", d)
			}
			wantForbiddenAddr(t, err, tc.addr)
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("err = %v, want it to say %q", err, tc.reason)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loopback server got %d requests", n)
	}
}

// Spellings of 127.0.0.1 that some resolvers turn into it must not reach
// a server there: the check is on the address dialled, whatever wrote it.
func TestObfuscatedLoopbackNeverReached(t *testing.T) {
	srv, hits := serve(t, hello)
	p := port(t, srv)
	c := newClient(t, nil)
	for _, host := range []string{"127.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.0.0.1.", "LOCALHOST"} {
		t.Run(host, func(t *testing.T) {
			_, err := get(t, c, "http://"+host+":"+p+"/")
			t.Log(err)
			var dns *net.DNSError
			if !errors.Is(err, ErrForbidden) && !errors.As(err, &dns) {
				t.Fatalf("err = %v, want a refusal or a name that does not resolve", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loopback server got %d requests", n)
	}
}

// A private address is still refused when only loopback is opened, and
// the reverse.
func TestAllowSwitchesOpenOnlyTheirRanges(t *testing.T) {
	loop := newClient(t, func(c *Config) { c.AllowLoopback = true })
	_, err := get(t, loop, "http://10.0.0.1/")
	wantForbiddenAddr(t, err, "10.0.0.1")
	_, err = get(t, loop, "http://169.254.169.254/")
	wantForbiddenAddr(t, err, "169.254.169.254")
	// Nor does it open tunnels that lead to loopback.
	_, err = get(t, loop, "http://[64:ff9b::7f00:1]/")
	wantForbiddenAddr(t, err, "64:ff9b::7f00:1")

	priv := newClient(t, func(c *Config) { c.AllowPrivate = true })
	srv, hits := serve(t, hello)
	_, err = get(t, priv, srv.URL)
	wantForbiddenAddr(t, err, "127.0.0.1")
	if hits.Load() != 0 {
		t.Fatal("AllowPrivate opened loopback")
	}

	// A server on one of this machine's private addresses, if it has one,
	// is refused, then reached once private ranges are opened.
	inner := serveOnPrivate(t)
	_, err = get(t, newClient(t, nil), inner.URL)
	wantForbiddenAddr(t, err, "")
	if _, err = get(t, priv, inner.URL); err != nil {
		t.Fatalf("%s with AllowPrivate: %v", inner.URL, err)
	}
}

// serveOnPrivate starts a server on a private address of this machine,
// or skips the test.
func serveOnPrivate(t *testing.T) *httptest.Server {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("no interface addresses: %v", err)
	}
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipn.IP)
		if c, _ := classify(ip); !ok || c != private {
			continue
		}
		srv, _ := serveOn(t, netip.AddrPortFrom(ip.Unmap(), 0).String(), hello)
		return srv
	}
	t.Skip("this machine has no private address")
	return nil
}

// The environment's proxy would carry requests to any destination with
// only the proxy's own address checked.
func TestEnvironmentProxyIgnored(t *testing.T) {
	proxy, proxied := serve(t, hello)
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"} {
		t.Setenv(k, proxy.URL)
	}
	t.Setenv("NO_PROXY", "")
	c := newClient(t, func(c *Config) { c.AllowLoopback = true })
	_, err := get(t, c, "http://10.0.0.1/")
	wantForbiddenAddr(t, err, "10.0.0.1")
	if n := proxied.Load(); n != 0 {
		t.Fatalf("the proxy got %d requests", n)
	}
}

func TestConfigValidated(t *testing.T) {
	ok := Config{UserAgent: testAgent, Timeout: time.Second, MaxBodyBytes: 1, MaxRedirects: 0}
	cases := []struct {
		field string
		edit  func(*Config)
	}{
		{"UserAgent", func(c *Config) { c.UserAgent = "" }},
		{"Timeout", func(c *Config) { c.Timeout = 0 }},
		{"Timeout", func(c *Config) { c.Timeout = -time.Second }},
		{"MaxBodyBytes", func(c *Config) { c.MaxBodyBytes = 0 }},
		{"MaxRedirects", func(c *Config) { c.MaxRedirects = -1 }},
		{"Allow", func(c *Config) { c.Allow = []netip.Prefix{{}} }},
	}
	for _, tc := range cases {
		cfg := ok
		tc.edit(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: err = %v, want one naming the field", tc.field, err)
		}
	}
	if _, err := New(ok); err != nil {
		t.Fatalf("a valid config: %v", err)
	}
}

func TestCallersUserAgentKept(t *testing.T) {
	srv, _ := serve(t, hello)
	c := newClient(t, func(c *Config) { c.AllowLoopback = true })
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "Other/1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "hello Other/1" {
		t.Fatalf("body %q, want the caller's user agent", b)
	}
	if req.Header.Get("User-Agent") != "Other/1" {
		t.Fatal("the caller's request was changed")
	}
}
