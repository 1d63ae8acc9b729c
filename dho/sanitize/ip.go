package sanitize

import (
	"math/big"
	"net/netip"
	"strconv"
	"strings"
)

// IPAddress is IntelMQ's IPAddress sanitizer. It accepts
//
//   - an IPv4 or IPv6 address in any form Python's ipaddress accepts:
//     dotted quad without leading zeros, IPv6 in any case, compressed or
//     not, with an embedded IPv4 tail;
//   - surrounding whitespace, which is stripped;
//   - a zone (scope) id, "fe80::1%eth0", which is removed, as IntelMQ does;
//   - a single-address network, "192.0.2.1/32", "2001:db8::1/128" or
//     "192.0.2.1/255.255.255.255", which becomes the bare address;
//   - a decimal integer without sign or leading zeros, read as the address
//     with that number: up to 2³²-1 an IPv4 address, above it IPv6
//     ("4294967296" is "::1:0:0"), as Python's ip_address(int) does;
//
// and returns the address as Python's ipaddress prints it: IPv4 dotted,
// IPv6 lowercase with the longest run of zero groups compressed.
// IntelMQ refuses 0.0.0.0 (but not "::"), and so do we.
//
// IPv4-mapped IPv6 addresses print as "::ffff:192.0.2.1", as Python 3.13
// and later (and RFC 5952) do; Python up to 3.12 prints "::ffff:c000:201".
// Both forms are accepted.
func IPAddress(s string) (string, error) {
	t := trimSpace(s)
	if t == "" {
		return "", invalid(s, "is not an IP address: it is empty")
	}
	// Fast path: an already canonical IPv4 address is returned as is.
	if a, ok := parseIPv4(t); ok {
		if a == [4]byte{} {
			return "", invalid(s, "is not a usable IP address: 0.0.0.0 is refused")
		}
		return t, nil
	}
	if isDecimal(t) {
		return ipFromInteger(s, t)
	}
	if i := strings.IndexByte(t, '%'); i >= 0 {
		t = t[:i]
	}
	addr, bits, hasPrefix, ok := splitPrefix(t)
	if !ok {
		return "", invalid(s, "is not an IP address")
	}
	if hasPrefix && bits != addr.BitLen() {
		return "", invalid(s, "is a network, not a single IP address")
	}
	if addr.Is4() && addr == (netip.AddrFrom4([4]byte{})) {
		return "", invalid(s, "is not a usable IP address: 0.0.0.0 is refused")
	}
	out := addr.String()
	if out == t {
		return t, nil
	}
	return out, nil
}

// IPNetwork is IntelMQ's IPNetwork sanitizer, Python's
// ip_network(value, strict=False): host bits are cleared ("192.0.2.7/24"
// becomes "192.0.2.0/24"), a prefix may also be given as a netmask or
// hostmask ("/255.255.255.0", "/0.0.0.255"), a bare address becomes a /32
// or /128 network, a zone id is dropped, and surrounding whitespace is
// stripped.
func IPNetwork(s string) (string, error) {
	t := trimSpace(s)
	if t == "" {
		return "", invalid(s, "is not an IP network: it is empty")
	}
	addrPart, prefixPart, hasSlash := strings.Cut(t, "/")
	if i := strings.IndexByte(addrPart, '%'); i >= 0 {
		// Python refuses a zone on IPv4 and an empty zone.
		if !strings.Contains(addrPart[:i], ":") || i == len(addrPart)-1 {
			return "", invalid(s, "is not an IP network")
		}
		addrPart = addrPart[:i]
	}
	addr, err := netip.ParseAddr(addrPart)
	if err != nil || addr.Zone() != "" {
		return "", invalid(s, "is not an IP network")
	}
	bits := addr.BitLen()
	if hasSlash {
		var ok bool
		bits, ok = parsePrefixLen(addr, prefixPart)
		if !ok {
			return "", invalid(s, "is not an IP network: bad prefix length or netmask")
		}
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return "", invalid(s, "is not an IP network")
	}
	out := p.String()
	if out == t {
		return t, nil
	}
	return out, nil
}

// splitPrefix parses "addr" or "addr/len" (len as digits or an IPv4
// mask). It refuses zones: the caller has removed them.
func splitPrefix(t string) (addr netip.Addr, bits int, hasPrefix, ok bool) {
	addrPart, prefixPart, hasSlash := strings.Cut(t, "/")
	a, err := netip.ParseAddr(addrPart)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, 0, false, false
	}
	if !hasSlash {
		return a, a.BitLen(), false, true
	}
	bits, ok = parsePrefixLen(a, prefixPart)
	if !ok {
		return netip.Addr{}, 0, false, false
	}
	// Python's ip_network(strict=True), as IntelMQ calls it, refuses host
	// bits set; only a full-length prefix has none to set.
	return a, bits, true, true
}

// parsePrefixLen reads the part after "/" as Python's ipaddress does:
// ASCII decimal digits (leading zeros allowed), at most the address
// length; for IPv4 also a dotted netmask (contiguous ones) or hostmask
// (contiguous ones from the right, read inverted).
func parsePrefixLen(a netip.Addr, p string) (int, bool) {
	if p == "" {
		return 0, false
	}
	if isDigits(p) {
		if len(p) > 3 {
			p = strings.TrimLeft(p, "0")
			if len(p) > 3 {
				return 0, false
			}
		}
		n, _ := strconv.Atoi(p)
		if n > a.BitLen() {
			return 0, false
		}
		return n, true
	}
	if !a.Is4() {
		return 0, false
	}
	m, ok := parseIPv4(p)
	if !ok {
		return 0, false
	}
	v := uint32(m[0])<<24 | uint32(m[1])<<16 | uint32(m[2])<<8 | uint32(m[3])
	if n, ok := maskLen(v); ok {
		return n, true
	}
	if n, ok := maskLen(^v); ok {
		return n, true
	}
	return 0, false
}

// maskLen returns the prefix length of netmask v if its ones are
// contiguous from the left.
func maskLen(v uint32) (int, bool) {
	n := 0
	for n < 32 && v&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && v<<n != 0 {
		return 0, false
	}
	return n, true
}

// parseIPv4 parses a canonical dotted quad (no leading zeros) without
// allocating.
func parseIPv4(s string) (a [4]byte, ok bool) {
	if len(s) < 7 || len(s) > 15 {
		return a, false
	}
	part, n, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && n == 0 {
				return a, false // leading zero
			}
			n = n*10 + int(c-'0')
			digits++
			if n > 255 {
				return a, false
			}
		case c == '.':
			if digits == 0 || part == 3 {
				return a, false
			}
			a[part] = byte(n)
			part++
			n, digits = 0, 0
		default:
			return a, false
		}
	}
	if part != 3 || digits == 0 {
		return a, false
	}
	a[3] = byte(n)
	return a, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDecimal reports whether s is how Python prints an int: ASCII digits
// with no leading zero (except "0" itself). IntelMQ treats a string as an
// integer address only when str(int(s)) == s.
func isDecimal(s string) bool {
	return isDigits(s) && (s[0] != '0' || len(s) == 1)
}

var maxIPv6 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// ipFromInteger is Python's ip_address(int(t)).
func ipFromInteger(s, t string) (string, error) {
	if len(t) <= 10 {
		n, _ := strconv.ParseUint(t, 10, 64)
		if n <= 0xFFFFFFFF {
			if n == 0 {
				return "", invalid(s, "is not a usable IP address: 0 is 0.0.0.0, which is refused")
			}
			return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}).String(), nil
		}
	}
	n, ok := new(big.Int).SetString(t, 10)
	if !ok || n.Cmp(maxIPv6) > 0 {
		return "", invalid(s, "is not an IP address: the integer is too large")
	}
	var b [16]byte
	n.FillBytes(b[:])
	return netip.AddrFrom16(b).String(), nil
}
