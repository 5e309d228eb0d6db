// Package problem is the one error type the API returns and the one place
// that writes it as RFC 7807 application/problem+json. A Problem carries a
// safe message for clients and, separately, the internal error for logs.
package problem

import (
	"errors"
	"fmt"
	"net/http"
)

// PeerTube's error codes, kept so PeerTube clients can react to them.
const (
	CodeQuotaReached         = "quota_reached"
	CodeMaxFileSizeReached   = "max_file_size_reached"
	CodeInvalidGrant         = "invalid_grant"
	CodeInvalidClient        = "invalid_client"
	CodeInvalidToken         = "invalid_token"
	CodeUnsupportedGrantType = "unsupported_grant_type"
)

// Problem is an error with an HTTP status and a message safe to show.
type Problem struct {
	Status int
	// Code is PeerTube's machine-readable code, when it has one.
	Code   string
	Detail string
	// InvalidParams maps a request field to what is wrong with it.
	InvalidParams map[string]string
	// Header holds extra response headers, such as Retry-After.
	Header http.Header
	// Err is the internal cause, logged and never sent.
	Err error
}

func (p *Problem) Error() string {
	if p.Err != nil {
		return fmt.Sprintf("%d %s: %v", p.Status, p.Detail, p.Err)
	}
	return fmt.Sprintf("%d %s", p.Status, p.Detail)
}

func (p *Problem) Unwrap() error { return p.Err }

// New builds a problem with a formatted detail.
func New(status int, format string, args ...any) *Problem {
	return &Problem{Status: status, Detail: fmt.Sprintf(format, args...)}
}

// WithCode sets PeerTube's error code.
func (p *Problem) WithCode(code string) *Problem { p.Code = code; return p }

// WithErr attaches the internal cause, for logs.
func (p *Problem) WithErr(err error) *Problem { p.Err = err; return p }

// WithHeader adds a response header.
func (p *Problem) WithHeader(key, value string) *Problem {
	if p.Header == nil {
		p.Header = http.Header{}
	}
	p.Header.Set(key, value)
	return p
}

// BadRequest is a 400 with a detail.
func BadRequest(format string, args ...any) *Problem {
	return New(http.StatusBadRequest, format, args...)
}

// NotFound is a 404 naming what is missing.
func NotFound(what string) *Problem { return New(http.StatusNotFound, "%s not found", what) }

// Forbidden is a 403 with a detail.
func Forbidden(format string, args ...any) *Problem {
	return New(http.StatusForbidden, format, args...)
}

// Unauthorized is a 401 with a detail.
func Unauthorized(format string, args ...any) *Problem {
	return New(http.StatusUnauthorized, format, args...)
}

// Conflict is a 409 with a detail.
func Conflict(format string, args ...any) *Problem {
	return New(http.StatusConflict, format, args...)
}

// Invalid is a 400 validation error naming each bad parameter.
func Invalid(params map[string]string) *Problem {
	p := New(http.StatusBadRequest, "Incorrect request parameters: %s", firstKey(params))
	p.InvalidParams = params
	return p
}

func firstKey(m map[string]string) string {
	first := ""
	for k := range m {
		if first == "" || k < first {
			first = k
		}
	}
	return first
}

// Internal hides err from the client behind a generic 500.
func Internal(err error) *Problem {
	return &Problem{Status: http.StatusInternalServerError, Detail: "internal server error", Err: err}
}

// From turns any error into a Problem: a Problem found in the chain is
// used as is, anything else becomes an internal error.
func From(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	return Internal(err)
}

// Body is the JSON document sent to clients.
type Body struct {
	Type          string            `json:"type"`
	Title         string            `json:"title"`
	Status        int               `json:"status"`
	Detail        string            `json:"detail"`
	Code          string            `json:"code,omitempty"`
	InvalidParams map[string]string `json:"invalid-params,omitempty"`
	// Error repeats Detail for clients written against PeerTube's older
	// error shape.
	Error string `json:"error"`
}

// Body renders the client-facing document.
func (p *Problem) Body() Body {
	return Body{
		Type:          "about:blank",
		Title:         http.StatusText(p.Status),
		Status:        p.Status,
		Detail:        p.Detail,
		Code:          p.Code,
		InvalidParams: p.InvalidParams,
		Error:         p.Detail,
	}
}

// ContentType is the media type of problem documents.
const ContentType = "application/problem+json; charset=utf-8"
