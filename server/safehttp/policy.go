package safehttp

import (
	"fmt"
	"net/netip"
	"syscall"
)

// class groups the ranges a Config can open as a whole.
type class int

const (
	public class = iota
	loopback
	private
	// refused ranges are never right for a remote server: link-local
	// (where cloud metadata answers), unspecified, multicast, broadcast,
	// documentation and reserved space. Only Config.Allow opens them.
	refused
)

// rangeRule names a range, so a refusal can say which one it hit.
type rangeRule struct {
	prefix netip.Prefix
	class  class
	reason string
}

// The first matching rule wins, so narrower ranges come before the wider
// ones that hold them. IPv4-mapped IPv6 addresses are unmapped before
// matching, and NAT64 and 6to4 addresses are judged by the IPv4 address
// they carry, so none of them is a way around the IPv4 rules.
var rules = []rangeRule{
	{netip.MustParsePrefix("0.0.0.0/8"), refused, "unspecified (this network)"},
	{netip.MustParsePrefix("127.0.0.0/8"), loopback, "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), private, "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), private, "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), private, "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), private, "shared address space (carrier-grade NAT)"},
	{netip.MustParsePrefix("169.254.169.254/32"), refused, "link-local (cloud metadata)"},
	{netip.MustParsePrefix("169.254.0.0/16"), refused, "link-local"},
	{netip.MustParsePrefix("192.0.0.0/24"), refused, "reserved (IETF protocol assignments)"},
	{netip.MustParsePrefix("192.0.2.0/24"), refused, "reserved (documentation)"},
	{netip.MustParsePrefix("198.51.100.0/24"), refused, "reserved (documentation)"},
	{netip.MustParsePrefix("203.0.113.0/24"), refused, "reserved (documentation)"},
	{netip.MustParsePrefix("198.18.0.0/15"), refused, "reserved (benchmarking)"},
	{netip.MustParsePrefix("224.0.0.0/4"), refused, "multicast"},
	{netip.MustParsePrefix("255.255.255.255/32"), refused, "broadcast"},
	{netip.MustParsePrefix("240.0.0.0/4"), refused, "reserved"},

	{netip.MustParsePrefix("::/128"), refused, "unspecified"},
	{netip.MustParsePrefix("::1/128"), loopback, "loopback"},
	{netip.MustParsePrefix("::/96"), refused, "reserved (IPv4-compatible)"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), private, "private (local-use NAT64)"},
	{netip.MustParsePrefix("100::/64"), refused, "reserved (discard)"},
	{netip.MustParsePrefix("2001::/32"), refused, "reserved (Teredo)"},
	{netip.MustParsePrefix("2001:db8::/32"), refused, "reserved (documentation)"},
	{netip.MustParsePrefix("fc00::/7"), private, "private (unique local)"},
	{netip.MustParsePrefix("fec0::/10"), private, "private (site-local)"},
	{netip.MustParsePrefix("fe80::/10"), refused, "link-local"},
	{netip.MustParsePrefix("ff00::/8"), refused, "multicast"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	// Every IPv6 unicast address in use on the Internet is in 2000::/3;
	// anything else not named above is unallocated.
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
)

// classify says which kind of range addr is in, and why in words.
func classify(addr netip.Addr) (class, string) {
	addr = addr.WithZone("").Unmap()
	for _, r := range rules {
		if r.prefix.Contains(addr) {
			return r.class, fmt.Sprintf("%s (%s)", r.reason, r.prefix)
		}
	}
	if addr.Is4() {
		return public, ""
	}
	b := addr.As16()
	var embedded netip.Addr
	switch {
	case nat64.Contains(addr):
		embedded = netip.AddrFrom4([4]byte(b[12:16]))
	case sixToFour.Contains(addr):
		embedded = netip.AddrFrom4([4]byte(b[2:6]))
	case !globalUnicast6.Contains(addr):
		return refused, "reserved (outside 2000::/3)"
	default:
		return public, ""
	}
	// A tunnel to an internal address is refused even where that
	// address is opened: no setup reaches its own network that way.
	if c, why := classify(embedded); c != public {
		return refused, fmt.Sprintf("carries %s, %s", embedded, why)
	}
	return public, ""
}

// policy decides which addresses a Client may connect to.
type policy struct {
	allow         []netip.Prefix
	allowLoopback bool
	allowPrivate  bool
}

// check returns nil if addr may be dialled, else an *AddressError.
func (p policy) check(addr netip.Addr) error {
	bare := addr.WithZone("").Unmap()
	for _, pr := range p.allow {
		if pr.Contains(bare) {
			return nil
		}
	}
	c, why := classify(bare)
	switch {
	case c == public,
		c == loopback && p.allowLoopback,
		c == private && p.allowPrivate:
		return nil
	}
	return &AddressError{Addr: addr, Reason: why}
}

// control runs after the resolver, once per address the dialer tries and
// before the socket connects, so what is checked is what is dialled: a
// host name that resolves to an internal address, a DNS answer that
// changed since an earlier check, and every redirect's host are all
// caught here, and a refused address is never sent a packet.
func (p policy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &AddressError{Reason: fmt.Sprintf("unparsable address %q", address)}
	}
	return p.check(ap.Addr())
}
