package peer

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
)

// The peer wire protocol of p2p-media-loader v2, spoken over an ordered,
// reliable WebRTC data channel. Every data channel message is either a
// command chunk or a chunk of segment data.
//
// A command is one type byte followed by named fields, each a one-byte
// name and a typed value:
//
//	int          0x0N, then N bytes big-endian magnitude; the top bit of the
//	             first byte is the sign
//	int array    0x10, group count, then per group of values sharing all
//	             but their low byte: an int (shared part | value count),
//	             then one low byte per value
//	string       0x2L LL, then the UTF-8 bytes (12-bit length)
//
// It travels framed as "cstr" + command + "cend"; a command too long for
// one message is split into "cstr…dend", "dstr…dend", …, "dstr…cend".
// Anything else on the channel is segment data.
//
// Segments are named by their index in the media playlist (VOD), whether
// each is a file or a byte range of one: like the browser engine, the
// wire never carries a segment's URL or range. A request id pairs answers
// with requests.

// Command types.
const (
	cmdAnnouncement = 0 // l: ids held, p: ids being fetched over HTTP
	cmdRequest      = 1 // i: segment, r: request, b: first byte (optional)
	cmdData         = 2 // i, r, s: size in bytes; the data chunks follow
	cmdDataDone     = 3 // i, r: every chunk was sent
	cmdAbsent       = 4 // i, r: the peer does not have the segment
	cmdCancel       = 5 // i, r: stop sending
)

// maxMessage is the largest data channel message sent (p2p-media-loader's
// default webRtcMaxMessageSize).
const maxMessage = 64*1024 - 1

var (
	frameStart    = []byte("cstr")
	frameEnd      = []byte("cend")
	frameDivStart = []byte("dstr")
	frameDivEnd   = []byte("dend")
)

// command is a decoded command; absent fields are zero.
type command struct {
	Type     byte
	Segment  int64 // i
	Request  int64 // r
	Size     int64 // s
	From     int64 // b
	HasFrom  bool
	Loaded   []int64 // l
	HTTPLoad []int64 // p
}

func appendInt(b []byte, n int64) []byte {
	neg := n < 0
	mag := uint64(n)
	if neg {
		mag = uint64(-n)
	}
	nbytes := (bits.Len64(mag) + 1 + 7) / 8 // one more bit for the sign
	if mag == 0 {
		nbytes = 1
	}
	b = append(b, byte(nbytes))
	start := len(b)
	for i := nbytes - 1; i >= 0; i-- {
		b = append(b, byte(mag>>(8*uint(i))))
	}
	if neg {
		b[start] |= 0x80
	}
	return b
}

func readInt(b []byte) (int64, int, error) {
	if len(b) < 1 || b[0]>>4 != 0 {
		return 0, 0, errors.New("peer: not an int")
	}
	n := int(b[0] & 0x0F)
	if n == 0 || n > 8 || len(b) < 1+n {
		return 0, 0, errors.New("peer: truncated int")
	}
	v := uint64(b[1] & 0x7F)
	for _, c := range b[2 : 1+n] {
		v = v<<8 | uint64(c)
	}
	if b[1]&0x80 != 0 {
		return -int64(v), 1 + n, nil
	}
	return int64(v), 1 + n, nil
}

// appendIntArray groups values by all but their low byte. A group holds at
// most 255 values: the count shares the group's int with the upper bits.
func appendIntArray(b []byte, values []int64) []byte {
	type group struct {
		common int64
		low    []byte
	}
	var groups []*group
	index := map[int64]*group{}
	for _, v := range values {
		c := v &^ 0xFF
		g := index[c]
		if g == nil {
			g = &group{common: c}
			index[c] = g
			groups = append(groups, g)
		}
		if len(g.low) < 255 {
			g.low = append(g.low, byte(v))
		}
	}
	if len(groups) > 255 {
		groups = groups[:255]
	}
	b = append(b, 0x10, byte(len(groups)))
	for _, g := range groups {
		b = appendInt(b, g.common|int64(len(g.low)))
		b = append(b, g.low...)
	}
	return b
}

func readIntArray(b []byte) ([]int64, int, error) {
	if len(b) < 2 || b[0]>>4 != 1 {
		return nil, 0, errors.New("peer: not an int array")
	}
	groups := int(b[1])
	off := 2
	var out []int64
	for range groups {
		head, n, err := readInt(b[off:])
		if err != nil {
			return nil, 0, err
		}
		off += n
		count, common := int(head&0xFF), head&^0xFF
		if len(b) < off+count {
			return nil, 0, errors.New("peer: truncated int array")
		}
		for _, low := range b[off : off+count] {
			out = append(out, common|int64(low))
		}
		off += count
	}
	return out, off, nil
}

func skipString(b []byte) (int, error) {
	if len(b) < 2 || b[0]>>4 != 2 {
		return 0, errors.New("peer: not a string")
	}
	n := int(b[0]&0x0F)<<8 | int(b[1])
	if len(b) < 2+n {
		return 0, errors.New("peer: truncated string")
	}
	return 2 + n, nil
}

// encode returns the framed command, in one message.
func (c command) encode() []byte {
	b := make([]byte, 0, 64)
	b = append(b, frameStart...)
	b = append(b, c.Type)
	switch c.Type {
	case cmdAnnouncement:
		if len(c.Loaded) > 0 {
			b = appendIntArray(append(b, 'l'), c.Loaded)
		}
		if len(c.HTTPLoad) > 0 {
			b = appendIntArray(append(b, 'p'), c.HTTPLoad)
		}
	case cmdRequest:
		b = appendInt(append(b, 'i'), c.Segment)
		b = appendInt(append(b, 'r'), c.Request)
		if c.HasFrom && c.From != 0 {
			b = appendInt(append(b, 'b'), c.From)
		}
	case cmdData:
		b = appendInt(append(b, 'i'), c.Segment)
		b = appendInt(append(b, 's'), c.Size)
		b = appendInt(append(b, 'r'), c.Request)
	default:
		b = appendInt(append(b, 'i'), c.Segment)
		b = appendInt(append(b, 'r'), c.Request)
	}
	return append(b, frameEnd...)
}

func decodeCommand(b []byte) (command, error) {
	if len(b) == 0 {
		return command{}, errors.New("peer: empty command")
	}
	c := command{Type: b[0]}
	off := 1
	for off < len(b) {
		if off+1 >= len(b) {
			return c, errors.New("peer: truncated command")
		}
		name := b[off]
		off++
		var ints []int64
		var v int64
		var n int
		var err error
		switch b[off] >> 4 {
		case 0:
			v, n, err = readInt(b[off:])
		case 1:
			ints, n, err = readIntArray(b[off:])
		case 2:
			n, err = skipString(b[off:])
		default:
			err = fmt.Errorf("peer: unknown field type %#x", b[off])
		}
		if err != nil {
			return c, err
		}
		off += n
		switch name {
		case 'i':
			c.Segment = v
		case 'r':
			c.Request = v
		case 's':
			c.Size = v
		case 'b':
			c.From, c.HasFrom = v, true
		case 'l':
			c.Loaded = ints
		case 'p':
			c.HTTPLoad = ints
		}
	}
	return c, nil
}

// isCommandChunk tells command chunks from segment data, as the browser
// engine does: by their frame marks.
func isCommandChunk(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	head, tail := b[:4], b[len(b)-4:]
	return (bytes.Equal(head, frameStart) || bytes.Equal(head, frameDivStart)) &&
		(bytes.Equal(tail, frameEnd) || bytes.Equal(tail, frameDivEnd))
}

// joiner reassembles commands split over several chunks.
type joiner struct {
	buf []byte
	on  bool
}

// add takes a command chunk and returns a whole command once it has one.
func (j *joiner) add(chunk []byte) ([]byte, bool) {
	first := bytes.HasPrefix(chunk, frameStart)
	if !j.on && !first || j.on && first {
		// A lost start or an unfinished command: start over.
		j.buf, j.on = nil, false
		if !first {
			return nil, false
		}
	}
	j.on = true
	j.buf = append(j.buf, chunk[4:len(chunk)-4]...)
	if !bytes.HasSuffix(chunk, frameEnd) {
		return nil, false
	}
	out := j.buf
	j.buf, j.on = nil, false
	return out, true
}
