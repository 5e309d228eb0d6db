// Package netlimit holds what bounds one client's share of the server:
// the key every per-client limit counts against, a cap on the
// connections a client holds open, and a minimum rate for request
// bodies.
package netlimit

import (
	"fmt"
	"net/netip"
	"strings"
)

// Key turns a client's IP address into the key its limits count
// against: the address for IPv4, and the /64 it belongs to for IPv6,
// since one subscriber or host usually has a whole /64 and could
// otherwise take a fresh address for every attempt. Anything that is not
// an address is its own key.
func Key(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}

// ParsePrefixes reads a list of networks in CIDR notation, or single
// addresses, as trusted proxies are given.
func ParsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a network in CIDR notation", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// contains tells whether a is in one of ps.
func contains(ps []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
