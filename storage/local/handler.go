package local

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"cuttle.video/storage"
)

// Handler serves presigned URLs and grants: GET and HEAD read an object
// through a presigned URL (with Range support), PUT writes one through a
// grant. It expects paths relative to BaseURL's path, as
// http.StripPrefix(MountPath(), h) gives it. Errors are RFC 9457 problem
// documents that never reveal filesystem paths.
func (s *Store) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Store) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut:
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		writeProblem(w, http.StatusMethodNotAllowed, "Only GET, HEAD and PUT are supported.")
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	if err := checkKey(key); err != nil {
		writeProblem(w, http.StatusBadRequest, "The object key in the path is not valid.")
		return
	}
	if r.Method == http.MethodPut {
		s.receiveGranted(w, r, key)
		return
	}
	if err := s.verify(key, r.URL.Query()); err != nil {
		refuse(w, err)
		return
	}
	s.send(w, r, key)
}

// errWithdrawn refuses writes through a grant whose work has ended.
var errWithdrawn = errors.New("local: grant withdrawn")

// refuse answers a request whose signature or grant does not allow it.
func refuse(w http.ResponseWriter, err error) {
	detail := "The URL signature is missing or does not match."
	switch {
	case errors.Is(err, errExpired):
		detail = "The URL has expired."
	case errors.Is(err, storage.ErrNotGranted):
		detail = "The grant does not cover this object name or its type."
	case errors.Is(err, errWithdrawn):
		detail = "The grant was withdrawn: the work it was given for has ended."
	}
	writeProblem(w, http.StatusForbidden, detail)
}

func (s *Store) send(w http.ResponseWriter, r *http.Request, key string) {
	f, info, err := s.open(key)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			writeProblem(w, http.StatusNotFound, "No object has this key.")
			return
		}
		s.log.Error("local storage: open object", "key", key, "err", err)
		writeProblem(w, http.StatusInternalServerError, "The object could not be read.")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", info.ContentType)
	// The type is the one stored with the object; browsers must not guess
	// another from its bytes.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// ServeContent does ranges, HEAD and conditional requests; its own
	// error answers (416, 412) are plain text, so they are rewritten.
	http.ServeContent(&problemRewriter{ResponseWriter: w}, r, "", info.LastModified, f)
}

func (s *Store) receive(w http.ResponseWriter, r *http.Request, key string) {
	// As with S3 POST policies, the type follows the name: a declared
	// other type is refused rather than stored.
	ct := storage.ContentTypeFor(key)
	if got := r.Header.Get("Content-Type"); got != "" && got != ct {
		writeProblem(w, http.StatusBadRequest, "The Content-Type must be "+ct+" for this object.")
		return
	}
	err := s.Put(r.Context(), key, r.Body, r.ContentLength, ct)
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, new(*http.MaxBytesError)):
		writeProblem(w, http.StatusRequestEntityTooLarge, "The object is larger than the grant allows.")
	case errors.As(err, new(bodyError)):
		writeProblem(w, http.StatusBadRequest, "The request body could not be read completely or does not match its Content-Length.")
	case r.Context().Err() != nil:
		// The client is gone; nobody reads the answer.
	default:
		s.log.Error("local storage: store object", "key", key, "err", err)
		writeProblem(w, http.StatusInternalServerError, "The object could not be stored.")
	}
}

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func writeProblem(w http.ResponseWriter, status int, detail string) {
	h := w.Header()
	h.Del("Content-Length")
	h.Del("Last-Modified")
	h.Del("Accept-Ranges")
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{
		Type:   "about:blank",
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
	})
}

// problemRewriter turns the error answers of http.ServeContent into
// problem documents and drops the plain-text body it writes after them.
type problemRewriter struct {
	http.ResponseWriter
	discard bool
}

func (p *problemRewriter) WriteHeader(status int) {
	if p.discard {
		return
	}
	if status < 400 {
		p.ResponseWriter.WriteHeader(status)
		return
	}
	p.discard = true
	detail := "The request could not be served."
	switch status {
	case http.StatusRequestedRangeNotSatisfiable:
		detail = "The requested range is outside the object."
	case http.StatusPreconditionFailed:
		detail = "A precondition in the request headers does not hold."
	}
	writeProblem(p.ResponseWriter, status, detail)
}

func (p *problemRewriter) Write(b []byte) (int, error) {
	if p.discard {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}
