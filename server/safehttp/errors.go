package safehttp

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrForbidden is matched (errors.Is) by every refusal of the policy, an
// *AddressError or a *SchemeError, so callers can tell a request the
// configuration forbids from a remote server that failed.
var ErrForbidden = errors.New("safehttp: refused by the outgoing request policy")

// ErrTooManyRedirects is returned when a request is redirected more times
// than Config.MaxRedirects allows.
var ErrTooManyRedirects = errors.New("safehttp: too many redirects")

// ErrBodyTooLarge is returned by Do when a response announces a body
// larger than Config.MaxBodyBytes, and by reading a body past it.
var ErrBodyTooLarge = errors.New("safehttp: response body too large")

// AddressError is a connection refused before it was made, because of the
// address a host name resolved to (or was).
type AddressError struct {
	Addr   netip.Addr // invalid when the address could not be read
	Reason string     // the range it is in, such as "loopback (127.0.0.0/8)"
}

func (e *AddressError) Error() string {
	if !e.Addr.IsValid() {
		return "safehttp: connection refused: " + e.Reason
	}
	return fmt.Sprintf("safehttp: connection to %s refused: %s", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrForbidden) true.
func (e *AddressError) Is(target error) bool { return target == ErrForbidden }

// SchemeError is a request, or a redirect, to a URL scheme the
// configuration does not allow.
type SchemeError struct {
	Scheme string
}

func (e *SchemeError) Error() string {
	return fmt.Sprintf("safehttp: scheme %q is not allowed", e.Scheme)
}

// Is makes errors.Is(err, ErrForbidden) true.
func (e *SchemeError) Is(target error) bool { return target == ErrForbidden }
