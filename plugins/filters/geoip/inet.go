package geoip

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// javaAddress reads text as Java's InetAddress.getByName does, which is
// what the geoip filter looks up: IPv4 literals of one to four decimal
// parts (127.1 is 127.0.0.1), IPv6 literals possibly in brackets or with a
// zone (an IPv4-mapped one becomes IPv4), and otherwise a host name,
// handed to resolve. ok is false when Java throws UnknownHostException.
func javaAddress(ctx context.Context, text string, resolve resolver) (addr netip.Addr, ok bool) {
	host := text
	v6Expected := false
	if strings.HasPrefix(host, "[") {
		if len(host) <= 2 || !strings.HasSuffix(host, "]") {
			return netip.Addr{}, false
		}
		host, v6Expected = host[1:len(host)-1], true
	}
	if host == "" {
		return netip.Addr{}, false
	}
	if isHexDigit(host[0]) || host[0] == ':' {
		if a, isV4, ambiguous := parseJavaIPv4(host); isV4 {
			return a, !v6Expected
		} else if ambiguous {
			return netip.Addr{}, false
		}
		if a, err := netip.ParseAddr(host); err == nil && a.Is6() {
			if a.Is4In6() {
				return a.Unmap(), true
			}
			return a, true
		}
		if strings.Contains(host, ":") {
			return netip.Addr{}, false
		}
	} else if v6Expected {
		return netip.Addr{}, false
	}
	if !isHostName(host) {
		return netip.Addr{}, false
	}
	return resolve(ctx, host)
}

// resolver finds a host name's address.
type resolver func(ctx context.Context, host string) (netip.Addr, bool)

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// parseJavaIPv4 is the JDK's textToNumericFormatV4: one to four
// dot-separated decimal parts (leading zeros read as decimal), the last
// filling the remaining bytes. ambiguous reports text BSD's inet_aton would
// read (hex or octal parts), which the JDK refuses rather than look up.
func parseJavaIPv4(s string) (addr netip.Addr, ok, ambiguous bool) {
	if len(s) > 15 {
		return netip.Addr{}, false, bsdParsable(s)
	}
	var b [4]byte
	var value uint64
	part, fresh := 0, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if fresh || value > 0xff || part == 3 {
				return netip.Addr{}, false, bsdParsable(s)
			}
			b[part] = byte(value)
			part++
			value, fresh = 0, true
			continue
		}
		if c < '0' || c > '9' {
			return netip.Addr{}, false, bsdParsable(s)
		}
		value = value*10 + uint64(c-'0')
		fresh = false
	}
	if fresh || value >= 1<<((4-part)*8) {
		return netip.Addr{}, false, bsdParsable(s)
	}
	for i := 3; i >= part; i-- {
		b[i] = byte(value)
		value >>= 8
	}
	return netip.AddrFrom4(b), true, false
}

// bsdParsable reports whether inet_aton would read s (one to four parts,
// each decimal, octal with a leading 0, or hex with 0x), the JDK's test for
// an ambiguous literal.
func bsdParsable(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		digits, base := p, 10
		switch {
		case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
			digits, base = p[2:], 16
		case len(p) > 1 && p[0] == '0':
			digits, base = p[1:], 8
		}
		if digits == "" {
			return false
		}
		for i := 0; i < len(digits); i++ {
			c := digits[i]
			valid := base == 16 && isHexDigit(c) || base == 10 && c >= '0' && c <= '9' || base == 8 && c >= '0' && c <= '7'
			if !valid {
				return false
			}
		}
	}
	return true
}

// resolveTimeout bounds one host name lookup.
const resolveTimeout = 5 * time.Second

// systemResolve looks a host name up with the system resolver and takes
// the first address, as Java's getByName does.
func systemResolve(ctx context.Context, host string) (netip.Addr, bool) {
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, false
	}
	return addrs[0].Unmap(), true
}

func isHostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// hostAddress is Java's getHostAddress: dotted IPv4, or all eight IPv6
// groups in lowercase hex without leading zeros or ::, then %zone.
func hostAddress(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	b := a.As16()
	out := make([]byte, 0, 40)
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			out = append(out, ':')
		}
		out = strconv.AppendUint(out, uint64(b[i])<<8|uint64(b[i+1]), 16)
	}
	if z := a.Zone(); z != "" {
		out = append(out, '%')
		out = append(out, z...)
	}
	return string(out)
}
