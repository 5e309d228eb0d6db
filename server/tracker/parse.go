package tracker

import (
	"encoding/json"
	"errors"
)

// parseRequest reads a request in one pass. It is the tracker's hot path:
// announces carry several kilobytes of SDP that the tracker only forwards,
// and encoding/json would scan them twice byte by byte. Values the
// tracker forwards are checked to be well-formed JSON, so a peer cannot
// make the tracker send broken messages to others.
func parseRequest(b []byte) (request, error) {
	var req request
	p := parser{b: b}
	p.ws()
	if !p.eat('{') {
		return req, errSyntax
	}
	p.ws()
	if p.eat('}') {
		return req, p.end()
	}
	for {
		key, err := p.str()
		if err != nil {
			return req, err
		}
		p.ws()
		if !p.eat(':') {
			return req, errSyntax
		}
		p.ws()
		start := p.i
		if key == "offers" && p.peek() == '[' {
			if req.Offers, err = p.offers(); err != nil {
				return req, err
			}
		} else if err := p.skip(0); err != nil {
			return req, err
		}
		raw := b[start:p.i]
		switch key {
		case "action":
			req.Action, err = stringValue(raw)
		case "peer_id":
			req.PeerID, err = stringValue(raw)
		case "to_peer_id":
			req.ToPeerID, err = stringValue(raw)
		case "event":
			req.Event, err = stringValue(raw)
		case "info_hash":
			req.InfoHash = raw
		case "left":
			req.Left = raw
		case "answer":
			req.Answer = raw
		case "offer_id":
			req.OfferID = raw
		}
		if err != nil {
			return req, err
		}
		p.ws()
		if p.eat('}') {
			return req, p.end()
		}
		if !p.eat(',') {
			return req, errSyntax
		}
		p.ws()
	}
}

var errSyntax = errors.New("tracker: malformed JSON")

// maxDepth bounds nesting in forwarded values.
const maxDepth = 32

type parser struct {
	b []byte
	i int
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *parser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) end() error {
	p.ws()
	if p.i != len(p.b) {
		return errSyntax
	}
	return nil
}

// str reads a string without escapes (a key).
func (p *parser) str() (string, error) {
	start := p.i
	if err := p.skipString(); err != nil {
		return "", err
	}
	raw := p.b[start+1 : p.i-1]
	for _, c := range raw {
		if c == '\\' {
			return stringValue(p.b[start:p.i])
		}
	}
	return string(raw), nil
}

// skipString passes a string, checking its escapes and that it holds no
// control characters.
func (p *parser) skipString() error {
	if !p.eat('"') {
		return errSyntax
	}
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return nil
		case c == '\\':
			if p.i+1 >= len(p.b) {
				return errSyntax
			}
			switch p.b[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.b) {
					return errSyntax
				}
				for _, h := range p.b[p.i+2 : p.i+6] {
					if !isHex(h) {
						return errSyntax
					}
				}
				p.i += 6
			default:
				return errSyntax
			}
		case c < 0x20:
			return errSyntax
		default:
			p.i++
		}
	}
	return errSyntax
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// skip passes any value.
func (p *parser) skip(depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	switch c := p.peek(); {
	case c == '"':
		return p.skipString()
	case c == '{' || c == '[':
		closeBy := byte('}')
		if c == '[' {
			closeBy = ']'
		}
		p.i++
		p.ws()
		if p.eat(closeBy) {
			return nil
		}
		for {
			if c == '{' {
				if err := p.skipString(); err != nil {
					return err
				}
				p.ws()
				if !p.eat(':') {
					return errSyntax
				}
				p.ws()
			}
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			p.ws()
			if p.eat(closeBy) {
				return nil
			}
			if !p.eat(',') {
				return errSyntax
			}
			p.ws()
		}
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	default:
		return errSyntax
	}
}

func (p *parser) literal(s string) error {
	if len(p.b)-p.i < len(s) || string(p.b[p.i:p.i+len(s)]) != s {
		return errSyntax
	}
	p.i += len(s)
	return nil
}

func (p *parser) number() error {
	start := p.i
	p.eat('-')
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	first := p.i
	if n := digits(); n == 0 || n > 1 && p.b[first] == '0' {
		return errSyntax
	}
	if p.eat('.') && digits() == 0 {
		return errSyntax
	}
	if p.peek() == 'e' || p.peek() == 'E' {
		p.i++
		if !p.eat('+') {
			p.eat('-')
		}
		if digits() == 0 {
			return errSyntax
		}
	}
	if p.i == start {
		return errSyntax
	}
	return nil
}

// offers reads [{"offer": ..., "offer_id": ...}, ...].
func (p *parser) offers() ([]offer, error) {
	p.i++ // [
	p.ws()
	var out []offer
	if p.eat(']') {
		return out, nil
	}
	for {
		p.ws()
		if !p.eat('{') {
			return nil, errSyntax
		}
		var o offer
		p.ws()
		if !p.eat('}') {
			for {
				key, err := p.str()
				if err != nil {
					return nil, err
				}
				p.ws()
				if !p.eat(':') {
					return nil, errSyntax
				}
				p.ws()
				start := p.i
				if err := p.skip(1); err != nil {
					return nil, err
				}
				switch key {
				case "offer":
					o.Offer = p.b[start:p.i]
				case "offer_id":
					o.OfferID = p.b[start:p.i]
				}
				p.ws()
				if p.eat('}') {
					break
				}
				if !p.eat(',') {
					return nil, errSyntax
				}
				p.ws()
			}
		}
		out = append(out, o)
		p.ws()
		if p.eat(']') {
			return out, nil
		}
		if !p.eat(',') {
			return nil, errSyntax
		}
	}
}

// stringValue decodes a JSON string value; other types are an error.
func stringValue(raw []byte) (string, error) {
	if len(raw) < 2 || raw[0] != '"' {
		if string(raw) == "null" {
			return "", nil
		}
		return "", errSyntax
	}
	inner := raw[1 : len(raw)-1]
	plain := true
	for _, c := range inner {
		if c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errSyntax
	}
	return s, nil
}
