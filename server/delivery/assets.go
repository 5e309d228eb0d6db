package delivery

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"cuttle.video/player/bundle"
)

// playerAssets serves the player bundle; its URLs carry a version, so it
// can be cached for good.
func playerAssets() gin.HandlerFunc {
	files := http.FileServer(http.FS(bundle.Assets()))
	return func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
		http.StripPrefix("/player", files).ServeHTTP(c.Writer, c.Request)
	}
}

// compressedAssets answers requests for the bundle's scripts and styles
// with a gzip copy when the client takes one: the watch page's script
// is most of its weight, and shrinks to a third. Each file is compressed
// once, on first request, and kept: the bundle is embedded and never
// changes while the server runs. Anything else falls through to the
// plain file server.
func compressedAssets() gin.HandlerFunc {
	var mu sync.Mutex
	cache := map[string][]byte{}
	compressed := func(name string) ([]byte, bool) {
		mu.Lock()
		defer mu.Unlock()
		if b, ok := cache[name]; ok {
			return b, b != nil
		}
		raw, err := fs.ReadFile(bundle.Assets(), name)
		if err != nil {
			// Not cached: a missing file costs a stat, and the file server
			// answers 404.
			return nil, false
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		b := buf.Bytes()
		if len(b) >= len(raw) {
			b = nil
		}
		cache[name] = b
		return b, b != nil
	}
	return func(c *gin.Context) {
		name := strings.TrimPrefix(path.Clean(c.Param("file")), "/")
		if !compressible(name) {
			return
		}
		c.Header("Vary", "Accept-Encoding")
		if !acceptsGzip(c.GetHeader("Accept-Encoding")) {
			return
		}
		body, ok := compressed(name)
		if !ok {
			return
		}
		c.Header("Content-Encoding", "gzip")
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
		c.Header("Content-Length", strconv.Itoa(len(body)))
		c.Data(http.StatusOK, mime.TypeByExtension(path.Ext(name)), body)
		c.Abort()
	}
}

func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".css", ".json", ".svg", ".map":
		return true
	}
	return false
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) without q=0.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if v, ok := strings.CutPrefix(q, "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f == 0 {
				return false
			}
		}
		return true
	}
	return false
}
