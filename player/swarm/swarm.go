// Package swarm names the peer-to-peer swarms of an HLS video the way
// p2p-media-loader v2 (the browser player's P2P engine) names them, so the
// server's tracker and the Go peer agree with browsers on every id.
//
// A browser watching rendition R of a video joins one swarm per rendition:
//
//	stream id        base64(sha1("BANDWIDTH-videoCodec-WIDTH-HEIGHT----FRAME-RATE-VIDEO-RANGE"))
//	stream swarm id  "v2-" + swarmID + "-main-" + stream id
//	info hash        base64(first 15 bytes of sha1(stream swarm id)), 20 ASCII bytes
//
// where swarmID is what the player configures (Cuttle uses the video's
// UUID, so the swarm does not depend on the URL a viewer loaded the
// playlist from) and the attributes are the variant's in the master
// playlist, as hls.js parses them. Within a swarm, a segment is named by
// its index in the media playlist (VOD) or its media sequence number
// (live).
package swarm

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// protocolVersion prefixes every stream swarm id; peers of another
// protocol version never meet.
const protocolVersion = "v2"

// InfoHashLen is the length of an info hash in bytes.
const InfoHashLen = 20

// Variant is one rendition of a master playlist, with the attributes the
// stream id is made of.
type Variant struct {
	// URI is the media playlist's URI as written in the master playlist.
	URI string
	// Bandwidth is BANDWIDTH, or AVERAGE-BANDWIDTH when BANDWIDTH is
	// missing, as hls.js takes it.
	Bandwidth int64
	// VideoCodec lists the video codecs of CODECS, comma-separated; empty
	// for audio-only renditions.
	VideoCodec string
	// Width and Height come from RESOLUTION; zero when it is missing.
	Width, Height int
	// FrameRate and VideoRange are the raw attribute values.
	FrameRate  string
	VideoRange string
}

// Stream is a rendition's swarm.
type Stream struct {
	Variant
	// SwarmID is the stream swarm id; InfoHash what peers announce.
	SwarmID  string
	InfoHash string
}

// Streams returns the swarm of every variant of a master playlist, in
// playlist order, for the player's swarm id.
func Streams(master []byte, swarmID string) ([]Stream, error) {
	variants, err := ParseMaster(master)
	if err != nil {
		return nil, err
	}
	out := make([]Stream, 0, len(variants))
	for _, v := range variants {
		id := StreamSwarmID(swarmID, v)
		out = append(out, Stream{Variant: v, SwarmID: id, InfoHash: InfoHash(id)})
	}
	return out, nil
}

// StreamSwarmID is the swarm id of a main-stream variant.
func StreamSwarmID(swarmID string, v Variant) string {
	return protocolVersion + "-" + swarmID + "-main-" + v.StreamID()
}

// InfoHash is the 20-byte info hash peers announce for a stream swarm id.
func InfoHash(streamSwarmID string) string {
	sum := sha1.Sum([]byte(streamSwarmID))
	return base64.StdEncoding.EncodeToString(sum[:15])
}

// StreamID is p2p-media-loader's short id of a main-stream variant.
func (v Variant) StreamID() string {
	var codecs, width, height, frameRate, videoRange string
	// Without a bitrate the engine ignores every other attribute.
	if v.Bandwidth != 0 {
		codecs = normalizeCodecs(v.VideoCodec)
		if v.Width != 0 || v.Height != 0 {
			width, height = strconv.Itoa(v.Width), strconv.Itoa(v.Height)
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v.FrameRate), 64); err == nil && v.FrameRate != "" {
			frameRate = strconv.FormatFloat(f, 'f', -1, 64)
		}
		videoRange = strings.ToUpper(strings.TrimSpace(v.VideoRange))
	}
	// Language, channels and name are empty for main streams.
	s := fmt.Sprintf("%d-%s-%s-%s----%s-%s", v.Bandwidth, codecs, width, height, frameRate, videoRange)
	sum := sha1.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// normalizeCodecs lowercases, rewrites decimal avc1 profiles to hex and
// sorts, so equivalent CODECS strings give one id.
func normalizeCodecs(codecs string) string {
	if codecs == "" {
		return ""
	}
	parts := strings.Split(codecs, ",")
	for i, c := range parts {
		c = strings.ToLower(strings.TrimSpace(c))
		f := strings.Split(c, ".")
		if len(f) == 3 && (f[0] == "avc1" || f[0] == "avc") {
			p, err1 := strconv.Atoi(f[1])
			l, err2 := strconv.Atoi(f[2])
			if err1 == nil && err2 == nil && f[1] == strconv.Itoa(p) && f[2] == strconv.Itoa(l) {
				c = fmt.Sprintf("%s.%02x00%02x", f[0], p, l)
			}
		}
		parts[i] = c
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// videoFourCCs are the sample entry codes hls.js counts as video.
var videoFourCCs = map[string]bool{
	"avc1": true, "avc2": true, "avc3": true, "avc4": true, "avcp": true, "av01": true, "dav1": true,
	"drac": true, "dva1": true, "dvav": true, "dvh1": true, "dvhe": true, "encv": true, "hev1": true,
	"hvc1": true, "mjp2": true, "mp4v": true, "mvc1": true, "mvc2": true, "mvc3": true, "mvc4": true,
	"resv": true, "rv60": true, "s263": true, "svc1": true, "svc2": true, "vc-1": true, "vp08": true,
	"vp09": true,
}

// ErrNotMaster is returned for a playlist without variants.
var ErrNotMaster = errors.New("swarm: not a master playlist")

// ParseMaster reads the variants of a master playlist.
func ParseMaster(master []byte) ([]Variant, error) {
	var out []Variant
	var pending map[string]string
	sc := bufio.NewScanner(bytes.NewReader(master))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#EXT-X-STREAM-INF:"):
			pending = parseAttributes(strings.TrimPrefix(line, "#EXT-X-STREAM-INF:"))
		case line == "" || strings.HasPrefix(line, "#"):
		case pending != nil:
			out = append(out, variant(line, pending))
			pending = nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("swarm: read master playlist: %w", err)
	}
	if len(out) == 0 {
		return nil, ErrNotMaster
	}
	return out, nil
}

func variant(uri string, attrs map[string]string) Variant {
	v := Variant{URI: uri, FrameRate: attrs["FRAME-RATE"], VideoRange: attrs["VIDEO-RANGE"]}
	v.Bandwidth, _ = strconv.ParseInt(attrs["BANDWIDTH"], 10, 64)
	if v.Bandwidth == 0 {
		v.Bandwidth, _ = strconv.ParseInt(attrs["AVERAGE-BANDWIDTH"], 10, 64)
	}
	if w, h, ok := strings.Cut(attrs["RESOLUTION"], "x"); ok {
		v.Width, _ = strconv.Atoi(w)
		v.Height, _ = strconv.Atoi(h)
	}
	var video []string
	for _, c := range strings.FieldsFunc(attrs["CODECS"], func(r rune) bool { return r == ',' || r == ' ' }) {
		if len(c) >= 4 && videoFourCCs[c[:4]] {
			c, _, _ = strings.Cut(c, "/")
			video = append(video, c)
		}
	}
	v.VideoCodec = strings.Join(video, ",")
	return v
}

// parseAttributes splits an HLS attribute list; quoted values lose their
// quotes.
func parseAttributes(s string) map[string]string {
	attrs := map[string]string{}
	for s != "" {
		key, rest, ok := strings.Cut(s, "=")
		if !ok {
			break
		}
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				val, rest = rest[1:], ""
			} else {
				val, rest = rest[1:1+end], rest[2+end:]
			}
			rest = strings.TrimPrefix(rest, ",")
		} else {
			val, rest, _ = strings.Cut(rest, ",")
		}
		attrs[strings.TrimSpace(key)] = val
		s = rest
	}
	return attrs
}
