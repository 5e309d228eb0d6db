package httpsig

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Bounds on what a remote server may send. A 4096-bit signature is 684
// base64 characters and keyIds are URLs, so 8 KiB leaves room for both
// while keeping a hostile header from costing more than a glance.
const (
	maxHeaderLen     = 8 << 10
	maxSignedHeaders = 32
)

// Params are the parameters of a Signature header.
type Params struct {
	KeyID string
	// Algorithm is lowercase; hs2019 when the header names none, as
	// Mastodon reads it.
	Algorithm string
	// Headers are the signed names, lowercase, in signing order. When the
	// header lists none they are the default Mastodon applies: date for
	// rsa-sha256, (created) for hs2019.
	Headers   []string
	Signature []byte
	// Created and Expires are Unix seconds, 0 when absent.
	Created, Expires int64
}

// Parse reads the value of a Signature header, or of an Authorization
// header of the Signature scheme. It refuses rather than guesses: a
// duplicated parameter, an unquoted string, a missing keyId or signature,
// a signature that is not base64, an unknown algorithm or an oversized
// value each end with an error wrapping ErrMalformed or
// ErrUnsupportedAlgorithm.
func Parse(value string) (Params, error) {
	if len(value) > maxHeaderLen {
		return Params{}, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformed, len(value), maxHeaderLen)
	}
	raw, err := parseParams(value)
	if err != nil {
		return Params{}, err
	}

	var p Params
	keyID, err := raw.quoted("keyId", true)
	if err != nil {
		return Params{}, err
	}
	p.KeyID = keyID

	sig, err := raw.quoted("signature", true)
	if err != nil {
		return Params{}, err
	}
	if p.Signature, err = base64.StdEncoding.Strict().DecodeString(sig); err != nil {
		return Params{}, fmt.Errorf("%w: signature is not base64: %v", ErrMalformed, err)
	}

	alg, err := raw.quoted("algorithm", false)
	if err != nil {
		return Params{}, err
	}
	switch alg = strings.ToLower(alg); alg {
	case "":
		p.Algorithm = AlgorithmHS2019
	case AlgorithmRSASHA256, AlgorithmHS2019:
		p.Algorithm = alg
	default:
		return Params{}, fmt.Errorf("%w: %.40q", ErrUnsupportedAlgorithm, alg)
	}

	if p.Created, err = raw.seconds("created"); err != nil {
		return Params{}, err
	}
	if p.Expires, err = raw.seconds("expires"); err != nil {
		return Params{}, err
	}

	headers, err := raw.quoted("headers", false)
	if err != nil {
		return Params{}, err
	}
	if _, given := raw["headers"]; !given {
		if p.Algorithm == AlgorithmRSASHA256 {
			p.Headers = []string{"date"}
		} else {
			p.Headers = []string{Created}
		}
		return p, nil
	}
	if p.Headers, err = parseHeaderList(headers); err != nil {
		return Params{}, err
	}
	return p, nil
}

func parseHeaderList(list string) ([]string, error) {
	names := strings.Fields(strings.ToLower(list))
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: headers is empty", ErrMalformed)
	}
	if len(names) > maxSignedHeaders {
		return nil, fmt.Errorf("%w: %d signed headers, more than %d", ErrMalformed, len(names), maxSignedHeaders)
	}
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		if !validHeaderName(name) {
			return nil, fmt.Errorf("%w: %.40q is not a header name", ErrMalformed, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: %q listed twice in headers", ErrMalformed, name)
		}
		seen[name] = true
	}
	return names, nil
}

func validHeaderName(name string) bool {
	if strings.HasPrefix(name, "(") && strings.HasSuffix(name, ")") {
		name = name[1 : len(name)-1]
	}
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTchar(name[i]) {
			return false
		}
	}
	return true
}

type param struct {
	value  string
	quoted bool
}

type rawParams map[string]param

// quoted returns a parameter that must be a quoted string: keyId,
// signature, algorithm and headers are, in every sender we know.
func (r rawParams) quoted(name string, required bool) (string, error) {
	p, ok := r[name]
	switch {
	case !ok && required:
		return "", fmt.Errorf("%w: no %s", ErrMalformed, name)
	case !ok:
		return "", nil
	case !p.quoted:
		return "", fmt.Errorf("%w: %s is not a quoted string", ErrMalformed, name)
	case p.value == "":
		return "", fmt.Errorf("%w: %s is empty", ErrMalformed, name)
	}
	return p.value, nil
}

// seconds returns created or expires. The draft writes them as bare
// integers; some senders quote them, which costs nothing to accept.
func (r rawParams) seconds(name string) (int64, error) {
	p, ok := r[name]
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(p.value, 10, 64)
	if err != nil || n <= 0 || strings.HasPrefix(p.value, "+") {
		return 0, fmt.Errorf("%w: %s is not a positive integer: %.40q", ErrMalformed, name, p.value)
	}
	return n, nil
}

// parseParams splits `name="value", name=token, ...` into its
// parameters. Unknown names are kept (and so ignored by Parse, as the
// draft asks) but still count as duplicates.
func parseParams(s string) (rawParams, error) {
	s = strings.Trim(s, " \t")
	// The Authorization scheme; PeerTube also strips it from Signature
	// values, where some senders repeat it.
	if len(s) > len("signature ") && strings.EqualFold(s[:len("signature ")], "signature ") {
		s = strings.TrimLeft(s[len("signature "):], " \t")
	}
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrMalformed)
	}
	params := rawParams{}
	for {
		name, rest := cutToken(s)
		if name == "" {
			return nil, fmt.Errorf("%w: expected a parameter name at %.20q", ErrMalformed, s)
		}
		if !strings.HasPrefix(rest, "=") {
			return nil, fmt.Errorf("%w: parameter %.40q has no value", ErrMalformed, name)
		}
		rest = rest[1:]
		var p param
		if strings.HasPrefix(rest, `"`) {
			var err error
			if p.value, rest, err = cutQuoted(rest); err != nil {
				return nil, fmt.Errorf("%w: parameter %.40q: %v", ErrMalformed, name, err)
			}
			p.quoted = true
		} else if p.value, rest = cutToken(rest); p.value == "" {
			return nil, fmt.Errorf("%w: parameter %.40q has no value", ErrMalformed, name)
		}
		if _, dup := params[name]; dup {
			return nil, fmt.Errorf("%w: parameter %.40q given twice", ErrMalformed, name)
		}
		params[name] = p

		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return params, nil
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("%w: unexpected %.20q after parameter %.40q", ErrMalformed, rest, name)
		}
		s = strings.TrimLeft(rest[1:], " \t")
	}
}

func cutToken(s string) (token, rest string) {
	i := 0
	for i < len(s) && isTchar(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// cutQuoted reads an RFC 9110 quoted-string at the start of s.
func cutQuoted(s string) (value, rest string, err error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), s[i+1:], nil
		case c == '\\':
			i++
			if i == len(s) {
				return "", "", fmt.Errorf("unterminated quoted string")
			}
			c = s[i]
		}
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return "", "", fmt.Errorf("control character in quoted string")
		}
		b.WriteByte(c)
	}
	return "", "", fmt.Errorf("unterminated quoted string")
}

func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
