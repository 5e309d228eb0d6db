package safehttp

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// serveOn starts a counting server on addr ("127.0.0.2:0"), or skips
// the test where the system has no such address.
func serveOn(t *testing.T, addr string, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &hits
}

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusFound)
	}
}

// The first hop, to 127.0.0.1, is opened by the config; the second, to
// another loopback address where a server does listen, is not: it is
// refused at its own dial, and reached once the config opens it.
func TestRedirectToRefusedAddress(t *testing.T) {
	inner, innerHits := serveOn(t, "127.0.0.2:0", hello)
	outer, _ := serve(t, redirectTo(inner.URL+"/secret"))
	onlyOuter := newClient(t, func(c *Config) { c.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })

	_, err := get(t, onlyOuter, outer.URL)
	wantForbiddenAddr(t, err, "127.0.0.2")
	if !strings.Contains(err.Error(), inner.URL+"/secret") {
		t.Errorf("err = %v, want it to name the redirect's target", err)
	}
	if innerHits.Load() != 0 {
		t.Fatal("the refused target was reached")
	}

	both := newClient(t, func(c *Config) { c.AllowLoopback = true })
	body, err := get(t, both, outer.URL)
	if err != nil || body != "hello "+testAgent {
		t.Fatalf("with loopback open: %q, %v", body, err)
	}
}

func TestRedirectToInternalTargetsRefused(t *testing.T) {
	c := newClient(t, func(c *Config) { c.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })
	for _, tc := range []struct{ target, addr string }{
		{"http://10.0.0.1/", "10.0.0.1"},
		{"http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254"},
		{"http://[::1]/", "::1"},
		{"http://[::ffff:192.168.0.1]/", "192.168.0.1"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			outer, _ := serve(t, redirectTo(tc.target))
			start := time.Now()
			_, err := get(t, c, outer.URL)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("refused after %s, want at once", d)
			}
			wantForbiddenAddr(t, err, tc.addr)
		})
	}
}

func TestRedirectToRefusedScheme(t *testing.T) {
	c := newClient(t, func(c *Config) { c.AllowLoopback = true })
	for _, target := range []string{"file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1:70/", "data:,hello"} {
		t.Run(target, func(t *testing.T) {
			outer, _ := serve(t, redirectTo(target))
			_, err := get(t, c, outer.URL)
			var se *SchemeError
			if !errors.As(err, &se) || !errors.Is(err, ErrForbidden) {
				t.Fatalf("err = %v, want a *SchemeError", err)
			}
			if !strings.Contains(err.Error(), "redirect from "+outer.URL) {
				t.Errorf("err = %v, want it to say it was a redirect", err)
			}
		})
	}
}

// tlsClient trusts srv's certificate, and opens loopback.
func tlsClient(t *testing.T, srv *httptest.Server, edit func(*Config)) *Client {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return newClient(t, func(c *Config) {
		c.AllowLoopback = true
		c.RootCAs = pool
		if edit != nil {
			edit(c)
		}
	})
}

func TestSchemes(t *testing.T) {
	plain, plainHits := serve(t, hello)
	secure := httptest.NewTLSServer(http.HandlerFunc(hello))
	t.Cleanup(secure.Close)
	httpsOnly := tlsClient(t, secure, func(c *Config) { c.AllowHTTP = false })

	body, err := get(t, httpsOnly, secure.URL)
	if err != nil || body != "hello "+testAgent {
		t.Fatalf("https: %q, %v", body, err)
	}
	_, err = get(t, httpsOnly, plain.URL)
	var se *SchemeError
	if !errors.As(err, &se) || se.Scheme != "http" || !errors.Is(err, ErrForbidden) {
		t.Fatalf("http with only https allowed: err = %v, want a *SchemeError", err)
	}
	if plainHits.Load() != 0 {
		t.Fatal("the http server was reached")
	}

	// An https server cannot send the client down to http.
	downgrade := httptest.NewTLSServer(redirectTo(plain.URL))
	t.Cleanup(downgrade.Close)
	_, err = get(t, tlsClient(t, downgrade, func(c *Config) { c.AllowHTTP = false }), downgrade.URL)
	if !errors.As(err, &se) || se.Scheme != "http" {
		t.Fatalf("redirect to http: err = %v, want a *SchemeError", err)
	}
	if plainHits.Load() != 0 {
		t.Fatal("the http server was reached through a redirect")
	}

	// Without the test's certificate among the roots, https fails on trust.
	_, err = get(t, newClient(t, func(c *Config) { c.AllowLoopback = true }), secure.URL)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("untrusted certificate: err = %v", err)
	}
}

// chain redirects /n to /n+1 until n reaches end, where it answers.
func chain(end int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if n < end {
			http.Redirect(w, r, fmt.Sprintf("/%d", n+1), http.StatusFound)
			return
		}
		io.WriteString(w, "end")
	}
}

func TestRedirectLimit(t *testing.T) {
	for _, tc := range []struct {
		max, chain int
		ok         bool
	}{
		{max: 3, chain: 3, ok: true},
		{max: 3, chain: 4, ok: false},
		{max: 3, chain: 1000, ok: false},
		{max: 0, chain: 0, ok: true},
		{max: 0, chain: 1, ok: false},
	} {
		t.Run(fmt.Sprintf("max %d chain %d", tc.max, tc.chain), func(t *testing.T) {
			srv, hits := serve(t, chain(tc.chain))
			c := newClient(t, func(c *Config) { c.AllowLoopback = true; c.MaxRedirects = tc.max })
			body, err := get(t, c, srv.URL+"/0")
			if tc.ok {
				if err != nil || body != "end" {
					t.Fatalf("%q, %v", body, err)
				}
				return
			}
			if !errors.Is(err, ErrTooManyRedirects) {
				t.Fatalf("err = %v, want ErrTooManyRedirects", err)
			}
			if n := hits.Load(); n != int64(tc.max+1) {
				t.Fatalf("the server got %d requests, want the first and %d redirects", n, tc.max)
			}
		})
	}
}

// stream writes n bytes without announcing their length.
func stream(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		w.Write(bytes.Repeat([]byte("x"), n))
	}
}

func TestBodyLimit(t *testing.T) {
	const limit = 1000
	c := newClient(t, func(c *Config) { c.AllowLoopback = true; c.MaxBodyBytes = limit })
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		ok   bool
	}{
		{"streamed, at the limit", stream(limit), true},
		{"streamed, one byte past", stream(limit + 1), false},
		{"streamed, far past", stream(1 << 20), false},
		{"announced, at the limit", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(limit))
			w.Write(bytes.Repeat([]byte("x"), limit))
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := serve(t, tc.h)
			body, err := get(t, c, srv.URL)
			if len(body) > limit {
				t.Fatalf("the caller got %d bytes, past the limit", len(body))
			}
			if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, ErrBodyTooLarge)) {
				t.Fatalf("%d bytes, err = %v", len(body), err)
			}
		})
	}
}

// A body announced too large is refused from its headers, without
// waiting for bytes the server may never send.
func TestAnnouncedLengthTooLarge(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.FormatInt(1<<40, 10))
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	c := newClient(t, func(c *Config) { c.AllowLoopback = true; c.MaxBodyBytes = 1 << 20 })
	start := time.Now()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := c.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrBodyTooLarge) || !strings.Contains(err.Error(), "1099511627776 bytes announced") {
		t.Fatalf("err = %v, want ErrBodyTooLarge from the header", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("refused after %s, want at once", d)
	}
}

// A few kilobytes of gzip that expand to megabytes are bounded by what
// they expand to.
func TestCompressedBodyBoundedDecompressed(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 16<<20))
	zw.Close()
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(bomb.Len()))
		w.Write(bomb.Bytes())
	})
	c := newClient(t, func(c *Config) { c.AllowLoopback = true; c.MaxBodyBytes = 1 << 20 })
	body, err := get(t, c, srv.URL)
	if !errors.Is(err, ErrBodyTooLarge) || len(body) > 1<<20 {
		t.Fatalf("%d bytes, err = %v; want ErrBodyTooLarge at 1 MiB", len(body), err)
	}
}

func TestTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
	}{
		{"no headers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
		{"body stalls", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "a beginning")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
		{"redirect then no headers", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				http.Redirect(w, r, "/slow", http.StatusFound)
				return
			}
			<-r.Context().Done()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := serve(t, tc.h)
			c := newClient(t, func(c *Config) { c.AllowLoopback = true; c.Timeout = timeout })
			start := time.Now()
			_, err := get(t, c, srv.URL)
			d := time.Since(start)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("err = %v, want a timeout", err)
			}
			if d < timeout || d > timeout+2*time.Second {
				t.Fatalf("gave up after %s, want about %s", d, timeout)
			}
		})
	}
}

func TestCallerContextCancels(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := newClient(t, func(c *Config) { c.AllowLoopback = true })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	_, err := c.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
}
