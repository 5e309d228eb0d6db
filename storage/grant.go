package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// A Grant lets its holder write many objects under one prefix, without
// other credentials, until it expires: what a worker needs to upload the
// outputs of a job whose file count it alone knows. Its size does not
// depend on how many objects are written, unlike one presigned URL per
// object.
//
// A grant is bound to its prefix, its expiry, a largest object size and a
// set of content types; each object's type is ContentTypeFor(its name), so
// only names with one of those types can be written. Backends that can
// check names (local) also hold them to GrantName's grammar; S3 policies
// can only bound the key's start, so there the grammar is the writer's
// obligation and whoever publishes the objects must check their names.
type Grant struct {
	// Prefix ends with a slash; objects are written at Prefix + name.
	Prefix   string    `json:"prefix"`
	Expires  time.Time `json:"expires"`
	MaxBytes int64     `json:"maxBytes"`
	// Put is set when objects are written with an HTTP PUT.
	Put *PutGrant `json:"put,omitempty"`
	// Forms are set when objects are written with browser-style POST
	// forms (S3 POST policies), one per content type, since a policy
	// fixes one type or only the start of one.
	Forms []PostForm `json:"forms,omitempty"`
}

// PutGrant writes an object with PUT URL + escaped name + "?" + Query.
type PutGrant struct {
	URL   string `json:"url"`
	Query string `json:"query"`
}

// PostForm writes objects of one content type with a multipart/form-data
// POST to URL: Fields, then the key and the type, then the file.
type PostForm struct {
	URL         string            `json:"url"`
	ContentType string            `json:"contentType"`
	Fields      map[string]string `json:"fields"`
}

// ErrNotGranted is returned for a name that a grant does not cover.
var ErrNotGranted = errors.New("storage: the grant does not cover this name")

// grantNameRE is the grammar of names written through a grant: one path
// element of letters, digits, '_', '-' and '.', not starting with a dot.
var grantNameRE = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$`)

// GrantName checks a name written through a grant.
func GrantName(name string) error {
	if !grantNameRE.MatchString(name) {
		return fmt.Errorf("%w: %q is not one path element of letters, digits, '_', '-' and '.'", ErrNotGranted, name)
	}
	return nil
}

// CheckGrant validates the arguments of a GrantPut call, for backends.
func CheckGrant(prefix string, contentTypes []string, ttl time.Duration, maxBytes int64) error {
	if prefix == "" || !strings.HasSuffix(prefix, "/") {
		return fmt.Errorf("%w: grant prefix %q must end with a slash", ErrInvalidKey, prefix)
	}
	if err := ValidatePrefix(prefix); err != nil {
		return err
	}
	if len(contentTypes) == 0 {
		return errors.New("storage: a grant needs at least one content type")
	}
	if ttl <= 0 || maxBytes <= 0 {
		return fmt.Errorf("storage: grant ttl %v and largest size %d must be positive", ttl, maxBytes)
	}
	return nil
}

// Request builds the request that writes body, of size bytes, as the
// object Prefix + name. The body is streamed, never held in memory.
func (g Grant) Request(ctx context.Context, name string, body io.Reader, size int64) (*http.Request, error) {
	if err := GrantName(name); err != nil {
		return nil, err
	}
	ct := ContentTypeFor(name)
	if g.Put != nil {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, g.Put.URL+url.PathEscape(name)+"?"+g.Put.Query, body)
		if err != nil {
			return nil, fmt.Errorf("storage: grant request: %w", err)
		}
		req.ContentLength = size
		req.Header.Set("Content-Type", ct)
		return req, nil
	}
	i := slices.IndexFunc(g.Forms, func(f PostForm) bool { return f.ContentType == ct })
	if i < 0 {
		return nil, fmt.Errorf("%w: no form for %s (%s)", ErrNotGranted, name, ct)
	}
	return g.Forms[i].request(ctx, g.Prefix+name, body, size)
}

// request streams the form: its fields are small and written ahead, the
// file follows from body, and the closing boundary after it, so the
// length is known without reading the file.
func (f PostForm) request(ctx context.Context, key string, body io.Reader, size int64) (*http.Request, error) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	fields := maps.Clone(f.Fields)
	fields["key"] = key
	fields["Content-Type"] = f.ContentType
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if err := mw.WriteField(k, fields[k]); err != nil {
			return nil, fmt.Errorf("storage: grant form: %w", err)
		}
	}
	// S3 takes the object's type from the form field; the part's own
	// header only describes the part.
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="file"`)
	h.Set("Content-Type", f.ContentType)
	if _, err := mw.CreatePart(h); err != nil {
		return nil, fmt.Errorf("storage: grant form: %w", err)
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.URL,
		io.MultiReader(bytes.NewReader(head.Bytes()), body, strings.NewReader(tail)))
	if err != nil {
		return nil, fmt.Errorf("storage: grant request: %w", err)
	}
	req.ContentLength = int64(head.Len()) + size + int64(len(tail))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req, nil
}
