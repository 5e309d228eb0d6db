package videos

import (
	"math/big"
	"strings"

	"github.com/google/uuid"
)

// shortAlphabet is the Flickr base58 alphabet PeerTube uses for short
// uuids, so the same video has the same short id on both.
const shortAlphabet = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

// shortLen is the number of base58 digits a 128-bit value needs.
const shortLen = 22

// ShortUUID encodes a uuid in base58, left-padded to a fixed length.
func ShortUUID(id uuid.UUID) string {
	n := new(big.Int).SetBytes(id[:])
	base := big.NewInt(int64(len(shortAlphabet)))
	mod := new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, shortAlphabet[mod.Int64()])
	}
	for len(out) < shortLen {
		out = append(out, shortAlphabet[0])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// looksLikeShortUUID is a cheap check before a database lookup.
func looksLikeShortUUID(s string) bool {
	if len(s) != shortLen {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune(shortAlphabet, r) {
			return false
		}
	}
	return true
}
