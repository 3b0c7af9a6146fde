package ruby

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

const upperHex = "0123456789ABCDEF"

// AppendInspect appends Ruby's String#inspect of s, a string in a UTF-8
// encoding (as every Logstash string is), quotes included.
func AppendInspect(b []byte, s string) []byte {
	b = append(b, '"')
	b = AppendInspectBody(b, s)
	return append(b, '"')
}

// AppendInspectBody appends String#inspect of s without the surrounding
// quotes: Logstash's `data.inspect[1..-2]` for input that is not valid UTF-8.
func AppendInspectBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '#' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscapedASCII(b, s, i)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'x', upperHex[c>>4], upperHex[c&0xF])
			i++
			start = i
			continue
		}
		if !escapedRune(r) {
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		b = appendUnicodeEscape(b, r)
		i += size
		start = i
	}
	return append(b, s[start:]...)
}

// appendEscapedASCII appends the inspect form of the ASCII byte s[i], which
// is a quote, backslash, '#', control character or DEL.
func appendEscapedASCII(b []byte, s string, i int) []byte {
	c := s[i]
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '#':
		// Only the starts of interpolations (#{ #$ #@) are escaped.
		if i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '$' || s[i+1] == '@') {
			return append(b, '\\', '#')
		}
		return append(b, '#')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	case '\f':
		return append(b, '\\', 'f')
	case '\v':
		return append(b, '\\', 'v')
	case '\b':
		return append(b, '\\', 'b')
	case '\a':
		return append(b, '\\', 'a')
	case 0x1B:
		return append(b, '\\', 'e')
	}
	return appendUnicodeEscape(b, rune(c))
}

func appendUnicodeEscape(b []byte, r rune) []byte {
	if r < 0x10000 {
		return append(b, '\\', 'u', upperHex[r>>12&0xF], upperHex[r>>8&0xF], upperHex[r>>4&0xF], upperHex[r&0xF])
	}
	b = append(b, '\\', 'u', '{')
	started := false
	for shift := 20; shift >= 0; shift -= 4 {
		d := r >> uint(shift) & 0xF
		if d != 0 || started {
			b = append(b, upperHex[d])
			started = true
		}
	}
	return append(b, '}')
}

// InspectLen is the length in characters (Ruby's String#size) of
// AppendInspect(nil, s): what amazing_print aligns hash keys by.
func InspectLen(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c < 0x7F && c != '"' && c != '\\':
				if c == '#' && i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '$' || s[i+1] == '@') {
					n += 2
				} else {
					n++
				}
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v' || c == '\b' || c == '\a' || c == 0x1B:
				n += 2
			default:
				n += 6
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 4
		case !escapedRune(r):
			n++
		case r < 0x10000:
			n += 6
		default:
			n += 4 + hexDigits(r)
		}
		i += size
	}
	return n
}

func hexDigits(r rune) int {
	n := 1
	for r >= 16 {
		r >>= 4
		n++
	}
	return n
}

// escapedRune reports whether String#inspect escapes the non-ASCII code
// point r: C1 controls except NEL (U+0085), the line and paragraph
// separators, and code points no Unicode category claims (unassigned and
// non-characters). Everything else — format characters, private use,
// spaces such as NBSP — is printed as is.
func escapedRune(r rune) bool {
	escapeSetOnce.Do(buildEscapeSet)
	return escapeSet[r>>6]&(1<<(uint(r)&63)) != 0
}

var (
	escapeSetOnce sync.Once
	// escapeSet has a bit set for every code point escapedRune reports.
	escapeSet []uint64
)

func buildEscapeSet() {
	set := make([]uint64, (unicode.MaxRune+1)/64)
	for i := range set {
		set[i] = ^uint64(0)
	}
	clear := func(r rune) { set[r>>6] &^= 1 << (uint(r) & 63) }
	mark := func(r rune) { set[r>>6] |= 1 << (uint(r) & 63) }
	for _, t := range []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs, unicode.Cf, unicode.Co} {
		for _, rg := range t.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				clear(r)
			}
		}
		for _, rg := range t.R32 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				clear(r)
			}
		}
	}
	clear(0x85)
	mark(0x2028)
	mark(0x2029)
	for r := rune(0); r < 0x80; r++ {
		clear(r) // ASCII is decided by appendEscapedASCII
	}
	escapeSet = set
}
