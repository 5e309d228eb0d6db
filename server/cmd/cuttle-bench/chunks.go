package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"syscall"
	"time"
)

// chunker sends a file as a series of PUT requests, one per chunk, the way
// PeerTube's web client does. Both targets of a comparison go through the
// same chunker, so whatever the client costs is the same on both sides.
type chunker struct {
	client *http.Client
	path   string
	size   int64
	chunk  int64
	// header is added to every request (the bearer token).
	header http.Header
}

// answer is what check sees of each chunk's response.
type answer struct {
	resp *http.Response
	// end is the offset of the chunk's last byte.
	end  int64
	last bool
}

// run PUTs every chunk to url in order. check judges each response; its
// body is drained and closed afterwards so the connection is reused, as a
// browser would. It returns how long the last chunk took, which includes
// whatever the server does once the file is complete.
func (c *chunker) run(ctx context.Context, url string, check func(answer) error) (time.Duration, error) {
	var lastTook time.Duration
	for start := int64(0); start < c.size; start += c.chunk {
		end := min(start+c.chunk, c.size) - 1
		began := time.Now()
		resp, err := c.put(ctx, url, start, end)
		if err != nil {
			return 0, err
		}
		a := answer{resp: resp, end: end, last: end == c.size-1}
		err = check(a)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, fmt.Errorf("chunk %d-%d: %w", start, end, err)
		}
		lastTook = time.Since(began)
	}
	return lastTook, nil
}

func (c *chunker) put(ctx context.Context, url string, start, end int64) (*http.Response, error) {
	body, err := openChunk(c.path, start, end+1)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, body)
	if err != nil {
		body.Close()
		return nil, err
	}
	req.ContentLength = end - start + 1
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, c.size))
	return c.client.Do(req)
}

// chunkBody is the part of a file a request sends. It offers the file's
// SyscallConn so that the transport sends it with sendfile, which keeps
// the client's share of the two cores small and the measure on the
// server. Read is bounded by hand since the transport checks, by reading
// on, that the body ends where Content-Length says; sendfile moves the
// file's offset, so Read asks the file where it is.
type chunkBody struct {
	f   *os.File
	end int64
}

func openChunk(path string, start, end int64) (*chunkBody, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return &chunkBody{f: f, end: end}, nil
}

func (b *chunkBody) Read(p []byte) (int, error) {
	off, err := b.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if off >= b.end {
		return 0, io.EOF
	}
	if rest := b.end - off; int64(len(p)) > rest {
		p = p[:rest]
	}
	return b.f.Read(p)
}

func (b *chunkBody) Close() error { return b.f.Close() }

func (b *chunkBody) SyscallConn() (syscall.RawConn, error) { return b.f.SyscallConn() }

// newClient is a client of its own for each target, so neither reuses a
// connection warmed by the other.
func newClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			// Loopback only: no proxy from the environment may intervene.
			Proxy:               nil,
			MaxIdleConnsPerHost: 2,
			DisableCompression:  true,
		},
		// A chunk takes well under a second; this only ends a run that is
		// stuck rather than slow.
		Timeout: 10 * time.Minute,
		// A 308 is the resumable protocol's "send more", not a redirect.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// warm reads the file once so that every run, the first included, reads
// it from the page cache.
func warm(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}
