package tracker

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// The WebTorrent tracker protocol, as bittorrent-tracker's WebSocket
// server speaks it and p2p-media-loader's client expects it. Every message
// is a JSON object with an "action" of "announce" or "scrape".
//
// Binary values (info_hash, peer_id, to_peer_id, offer_id) travel as
// "binary strings": one character per byte, code points 0-255.
//
//	announce  {info_hash, peer_id, event?, numwant, offers:[{offer, offer_id}], left?, ...}
//	answer    {action:"announce", info_hash, peer_id, to_peer_id, answer, offer_id}
//	scrape    {action:"scrape", info_hash: string | [string]}
//
// The tracker answers an announce with {action, interval, info_hash,
// complete, incomplete}, forwards each offer to one other peer of the
// swarm as {action:"announce", offer, offer_id, peer_id, info_hash}, and
// forwards an answer to its addressee as {action:"announce", answer,
// offer_id, peer_id, info_hash}. Refusals are {"failure reason": ...}.

// idLen is the length of info hashes and peer ids.
const idLen = 20

type request struct {
	Action   string          `json:"action"`
	InfoHash json.RawMessage `json:"info_hash"`
	PeerID   string          `json:"peer_id"`
	Event    string          `json:"event"`
	Left     json.RawMessage `json:"left"`
	Offers   []offer         `json:"offers"`
	Answer   json.RawMessage `json:"answer"`
	ToPeerID string          `json:"to_peer_id"`
	OfferID  json.RawMessage `json:"offer_id"`
}

type offer struct {
	Offer   json.RawMessage `json:"offer"`
	OfferID json.RawMessage `json:"offer_id"`
}

var (
	errBadInfoHash = errors.New("invalid info_hash")
	errBadPeerID   = errors.New("invalid peer_id")
	errBadToPeerID = errors.New("invalid `to_peer_id` (required with `answer`)")
	errBadAction   = errors.New("invalid action")
	errBadEvent    = errors.New("invalid event")
	errBadOffer    = errors.New("invalid offer")
)

// fromBinary turns a decoded binary string into its bytes.
func fromBinary(s string) (string, bool) {
	// The common case, ASCII ids such as p2p-media-loader's, needs no copy.
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			return "", false
		}
		b = append(b, byte(r))
	}
	return string(b), true
}

// appendBinary writes raw bytes as a JSON binary string.
func appendBinary(dst []byte, raw string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20 || c == 0x7F:
			dst = append(dst, `\u00`...)
			dst = append(dst, hexDigits[c>>4], hexDigits[c&0xF])
		case c >= 0x80:
			dst = utf8.AppendRune(dst, rune(c))
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// id reads a 20-byte binary id.
func id(s string, bad error) (string, error) {
	raw, ok := fromBinary(s)
	if !ok || len(raw) != idLen {
		return "", bad
	}
	return raw, nil
}

// infoHashes reads info_hash as a string or a list of strings.
func infoHashes(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		h, err := id(one, errBadInfoHash)
		return []string{h}, err
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errBadInfoHash
	}
	out := make([]string, 0, len(many))
	for _, s := range many {
		h, err := id(s, errBadInfoHash)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// complete tells whether an announce says the peer has everything
// ("left": 0).
func complete(left json.RawMessage) bool {
	if len(left) == 0 {
		return false
	}
	var n float64
	if err := json.Unmarshal(left, &n); err == nil {
		return n == 0
	}
	var s string
	if err := json.Unmarshal(left, &s); err == nil {
		f, err := strconv.ParseFloat(s, 64)
		return err == nil && f == 0
	}
	return false
}

// Outgoing messages are built by hand: they are few, fixed shapes, and
// the forwarded offers and answers are copied through as raw JSON.

func announceReply(infoHash string, interval, complete, incomplete int) []byte {
	b := make([]byte, 0, 128)
	b = append(b, `{"action":"announce","interval":`...)
	b = strconv.AppendInt(b, int64(interval), 10)
	b = append(b, `,"info_hash":`...)
	b = appendBinary(b, infoHash)
	b = append(b, `,"complete":`...)
	b = strconv.AppendInt(b, int64(complete), 10)
	b = append(b, `,"incomplete":`...)
	b = strconv.AppendInt(b, int64(incomplete), 10)
	return append(b, '}')
}

// relayed is an offer or an answer forwarded to another peer; kind is
// "offer" or "answer".
func relayed(kind string, payload, offerID json.RawMessage, fromPeer, infoHash string) []byte {
	b := make([]byte, 0, len(payload)+len(offerID)+128)
	b = append(b, `{"action":"announce","`...)
	b = append(b, kind...)
	b = append(b, `":`...)
	b = append(b, payload...)
	b = append(b, `,"offer_id":`...)
	b = append(b, offerID...)
	b = append(b, `,"peer_id":`...)
	b = appendBinary(b, fromPeer)
	b = append(b, `,"info_hash":`...)
	b = appendBinary(b, infoHash)
	return append(b, '}')
}

func failure(action, reason, infoHash string) []byte {
	b := make([]byte, 0, 96)
	b = append(b, `{"action":`...)
	b = strconv.AppendQuote(b, action)
	b = append(b, `,"failure reason":`...)
	b = strconv.AppendQuote(b, reason)
	if infoHash != "" {
		b = append(b, `,"info_hash":`...)
		b = appendBinary(b, infoHash)
	}
	return append(b, '}')
}

type scrapeCount struct {
	infoHash             string
	complete, incomplete int
}

func scrapeReply(counts []scrapeCount, interval int) []byte {
	b := make([]byte, 0, 64+len(counts)*80)
	b = append(b, `{"action":"scrape","files":{`...)
	for i, c := range counts {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendBinary(b, c.infoHash)
		b = append(b, `:{"complete":`...)
		b = strconv.AppendInt(b, int64(c.complete), 10)
		b = append(b, `,"incomplete":`...)
		b = strconv.AppendInt(b, int64(c.incomplete), 10)
		b = append(b, `,"downloaded":`...)
		b = strconv.AppendInt(b, int64(c.complete), 10)
		b = append(b, '}')
	}
	b = append(b, `},"flags":{"min_request_interval":`...)
	b = strconv.AppendInt(b, int64(interval), 10)
	return append(b, `}}`...)
}

// validRaw reports whether a relayed value is present and small enough;
// it was already parsed as JSON by the decoder.
func validRaw(v json.RawMessage, max int) bool {
	return len(v) > 0 && len(v) <= max && string(v) != "null"
}
