package servertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Client talks to a test server as one user.
type Client struct {
	t     *testing.T
	s     *Server
	Token string
	// Username and Password are set for clients that logged in.
	Username, Password string
	// HTTP sends the requests when set (see AnonymousFrom); otherwise a
	// client that does not follow redirects.
	HTTP *http.Client
}

// Anonymous returns a client without credentials.
func (s *Server) Anonymous(t *testing.T) *Client { return &Client{t: t, s: s} }

// AnonymousFrom returns a client without credentials whose connections
// come from the loopback address ip (any of 127.0.0.0/8), so the server
// sees it as another client address.
func (s *Server) AnonymousFrom(t *testing.T, ip string) *Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: dialer.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &Client{t: t, s: s, HTTP: &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Tokens is the answer of the token endpoint.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
}

// Client logs in as username and returns a client holding the token.
func (s *Server) Client(t *testing.T, username, password string) *Client {
	t.Helper()
	c := s.Anonymous(t)
	var tok Tokens
	res := c.TokenRequest(url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}})
	res.Expect(http.StatusOK).JSON(&tok)
	c.Token, c.Username, c.Password = tok.AccessToken, username, password
	return c
}

// Root logs in as the root admin.
func (s *Server) Root(t *testing.T) *Client { return s.Client(t, "root", RootPassword) }

// NewUser creates a user through the admin API and logs in as them.
func (s *Server) NewUser(t *testing.T, role int, quota int64) *Client {
	t.Helper()
	name := NewName("user")
	s.Root(t).Do("POST", "/api/v1/users", map[string]any{
		"username": name, "password": "password-" + name, "email": name + "@example.com",
		"role": role, "videoQuota": quota,
	}).Expect(http.StatusOK)
	return s.Client(t, name, "password-"+name)
}

// WithToken returns a client that sends token.
func (s *Server) WithToken(t *testing.T, token string) *Client {
	return &Client{t: t, s: s, Token: token}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TokenRequest posts to the token endpoint with the local client's
// credentials added.
func (c *Client) TokenRequest(form url.Values) *Response {
	c.t.Helper()
	var cl struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	c.Do("GET", "/api/v1/oauth-clients/local", nil).Expect(http.StatusOK).JSON(&cl)
	form.Set("client_id", cl.ID)
	form.Set("client_secret", cl.Secret)
	return c.Raw("POST", "/api/v1/users/token", strings.NewReader(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

// Response is an answer with its body read.
type Response struct {
	t *testing.T
	*http.Response
	Body []byte
}

// Do sends body as JSON (when not nil) and returns the answer.
func (c *Client) Do(method, path string, body any) *Response {
	c.t.Helper()
	var r io.Reader
	h := http.Header{}
	if body != nil {
		r = bytes.NewReader(mustJSON(c.t, body))
		h.Set("Content-Type", "application/json")
	}
	return c.Raw(method, path, r, h)
}

// Raw sends a request with the given body and headers.
func (c *Client) Raw(method, path string, body io.Reader, h http.Header) *Response {
	c.t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = c.s.URL + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	if cl := h.Get("Content-Length"); cl != "" {
		fmt.Sscan(cl, &req.ContentLength)
	}
	if c.Token != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := noRedirect
	if c.HTTP != nil {
		hc = c.HTTP
	}
	res, err := hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &Response{t: c.t, Response: res, Body: b}
}

// noRedirect keeps 308 answers of the resumable protocol visible.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Multipart posts a multipart form with one file field.
func (c *Client) Multipart(path string, fields map[string][]string, fileField, filename string, file io.Reader) *Response {
	c.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, vs := range fields {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		if fileField != "" {
			fw, err := mw.CreateFormFile(fileField, filename)
			if err == nil {
				_, err = io.Copy(fw, file)
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	return c.Raw("POST", path, pr, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// Expect fails the test unless the status is one of want.
func (r *Response) Expect(want ...int) *Response {
	r.t.Helper()
	for _, w := range want {
		if r.StatusCode == w {
			return r
		}
	}
	r.t.Fatalf("%s %s: status %d, want %v; body: %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.Body)
	return r
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) *Response {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("%s %s: decode %q: %v", r.Request.Method, r.Request.URL.Path, r.Body, err)
	}
	return r
}

// Problem is an RFC 7807 answer.
type Problem struct {
	Type          string            `json:"type"`
	Title         string            `json:"title"`
	Status        int               `json:"status"`
	Detail        string            `json:"detail"`
	Code          string            `json:"code"`
	InvalidParams map[string]string `json:"invalid-params"`
}

// Problem checks the answer is problem+json with the status and returns it.
func (r *Response) Problem(status int) Problem {
	r.t.Helper()
	r.Expect(status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		r.t.Fatalf("%s %s: content type %q, want application/problem+json", r.Request.Method, r.Request.URL.Path, ct)
	}
	var p Problem
	r.JSON(&p)
	if p.Status != status || p.Detail == "" || p.Title == "" {
		r.t.Fatalf("incomplete problem document: %s", r.Body)
	}
	return p
}
