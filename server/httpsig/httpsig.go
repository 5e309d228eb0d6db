// Package httpsig signs and verifies HTTP requests with HTTP Signatures in
// the form the Fediverse speaks: draft-cavage-http-signatures (the draft-12
// era), RSA PKCS#1 v1.5 over SHA-256, a Digest of the body, and a keyId
// naming the actor's key (`{actor}#main-key`). PeerTube and Mastodon send
// `algorithm="rsa-sha256"` and accept `hs2019`; both verify with the same
// RSA-SHA256 here. RFC 9421 (Signature-Input) is not spoken: PeerTube
// refuses it, so no peer we federate with needs it.
package httpsig

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Algorithms, as they appear in the algorithm parameter.
const (
	AlgorithmRSASHA256 = "rsa-sha256"
	// AlgorithmHS2019 leaves the algorithm to the key; with the RSA keys
	// actors publish it means RSA-SHA256, which is how Mastodon reads it.
	AlgorithmHS2019 = "hs2019"
)

// Pseudo-headers of the signing string.
const (
	RequestTarget = "(request-target)"
	Created       = "(created)"
	Expires       = "(expires)"
)

// Errors a verification can end with; each is wrapped with the detail of
// the request, so test them with errors.Is. A signature that does not
// verify is a *KeyMismatchError instead, so a caller can refetch the key.
var (
	// ErrNotSigned: the request carries neither a Signature header nor an
	// Authorization header of the Signature scheme.
	ErrNotSigned = errors.New("httpsig: request is not signed")
	// ErrMalformed: the Signature header does not parse.
	ErrMalformed = errors.New("httpsig: malformed signature header")
	// ErrUnsupportedAlgorithm: the algorithm is neither rsa-sha256 nor hs2019.
	ErrUnsupportedAlgorithm = errors.New("httpsig: unsupported signature algorithm")
	// ErrInsufficientCoverage: a header the receiver requires is not signed.
	ErrInsufficientCoverage = errors.New("httpsig: required header not signed")
	// ErrMissingHeader: a header in the signed list is absent from the request.
	ErrMissingHeader = errors.New("httpsig: signed header absent from request")
	// ErrStale: Date or (created) is outside the allowed clock skew, or
	// (expires) has passed: a late delivery or a replay.
	ErrStale = errors.New("httpsig: signature outside its validity window")
	// ErrDigest: the Digest header is absent where required, unreadable, or
	// does not match the body.
	ErrDigest = errors.New("httpsig: digest check failed")
	// ErrBodyTooLarge: the body is longer than the verifier reads.
	ErrBodyTooLarge = errors.New("httpsig: body too large to verify")
)

// KeyMismatchError says the signature did not verify with the key the
// lookup returned. A forged signature and a key the remote actor has since
// rotated look the same here, so the caller's move is to refetch the key
// for KeyID once, verify again, and refuse if it still fails.
type KeyMismatchError struct {
	KeyID string
}

func (e *KeyMismatchError) Error() string {
	return fmt.Sprintf("httpsig: signature does not match the key %q", e.KeyID)
}

// signingString builds the string the draft signs: one line per name of
// headers, "name: value", joined by "\n" with no trailing newline.
// created and expires are the parameters' values, 0 when absent.
func signingString(r *http.Request, headers []string, created, expires int64) (string, error) {
	var b strings.Builder
	for i, name := range headers {
		value, err := componentValue(r, name, created, expires)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
	}
	return b.String(), nil
}

func componentValue(r *http.Request, name string, created, expires int64) (string, error) {
	switch name {
	case RequestTarget:
		return strings.ToLower(r.Method) + " " + requestTarget(r), nil
	case Created:
		if created == 0 {
			return "", fmt.Errorf("%w: (created) signed without a created parameter", ErrMissingHeader)
		}
		return strconv.FormatInt(created, 10), nil
	case Expires:
		if expires == 0 {
			return "", fmt.Errorf("%w: (expires) signed without an expires parameter", ErrMissingHeader)
		}
		return strconv.FormatInt(expires, 10), nil
	case "host":
		// Go keeps Host out of Header on both sides: the server moves it to
		// r.Host, and a client sends r.Host or else the URL's host.
		if r.Host != "" {
			return r.Host, nil
		}
		if r.URL != nil && r.URL.Host != "" {
			return r.URL.Host, nil
		}
		return "", fmt.Errorf("%w: host", ErrMissingHeader)
	}
	values := r.Header.Values(name)
	if len(values) == 0 {
		// A client request carries its length in ContentLength, and the
		// transport writes the header from it.
		if name == "content-length" && r.ContentLength > 0 {
			return strconv.FormatInt(r.ContentLength, 10), nil
		}
		return "", fmt.Errorf("%w: %s", ErrMissingHeader, name)
	}
	trimmed := make([]string, len(values))
	for i, v := range values {
		trimmed[i] = strings.TrimSpace(v)
	}
	return strings.Join(trimmed, ", "), nil
}

// requestTarget is the path and query as they travel in the request line.
// A server has them verbatim in RequestURI; re-encoding the parsed URL
// could differ from what the sender signed.
func requestTarget(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}
