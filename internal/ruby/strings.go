package ruby

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isStripSpace is Ruby's whitespace for String#strip: NUL, \t, \n, \v, \f,
// \r and space (NBSP and other Unicode spaces are kept).
func isStripSpace(c byte) bool {
	return c == 0 || c == ' ' || (c >= '\t' && c <= '\r')
}

// Strip is String#strip.
func Strip(s string) string {
	i, j := 0, len(s)
	for i < j && isStripSpace(s[i]) {
		i++
	}
	for j > i && isStripSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isAwkSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// Split is String#split(sep) with a string separator and no limit: a
// single space means awk mode (runs of ASCII whitespace, leading ones
// ignored), an empty separator splits into characters, and trailing empty
// fields are removed.
func Split(s, sep string) []string {
	parts := SplitAll(s, sep)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// SplitAll is String#split(sep, -1): like Split but trailing empty fields
// are kept (the empty string still gives no fields).
func SplitAll(s, sep string) []string {
	var parts []string
	switch sep {
	case " ":
		i := 0
		for i < len(s) {
			start := i
			for i < len(s) && isAwkSpace(s[i]) {
				i++
			}
			if i == len(s) {
				// What follows the last field is kept as "" (Ruby pushes the
				// remainder when the limit is negative).
				if i > start {
					parts = append(parts, "")
				}
				break
			}
			j := i
			for j < len(s) && !isAwkSpace(s[j]) {
				j++
			}
			parts = append(parts, s[i:j])
			i = j
		}
	case "":
		for rest := s; len(rest) > 0; {
			_, n := utf8.DecodeRuneInString(rest)
			parts = append(parts, rest[:n])
			rest = rest[n:]
		}
		if s != "" {
			parts = append(parts, "")
		}
	default:
		if s == "" {
			return []string{}
		}
		parts = strings.Split(s, sep)
	}
	if parts == nil {
		parts = []string{}
	}
	return parts
}

// Upcase is String#upcase: full Unicode case mapping (the one-to-many
// SpecialCasing entries come from casemap_gen.go).
func Upcase(s string) string { return mapCase(s, upperSpecial, unicode.ToUpper) }

// Downcase is String#downcase: full Unicode case mapping without context
// (Ruby does not apply the final-sigma rule).
func Downcase(s string) string { return mapCase(s, lowerSpecial, unicode.ToLower) }

// mapCase maps every code point of s through special, where Ruby's
// mapping differs from Go's, or else through simple.
func mapCase(s string, special map[rune]string, simple func(rune) rune) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if m, ok := special[r]; ok {
			b.WriteString(m)
			continue
		}
		b.WriteRune(simple(r))
	}
	return b.String()
}

// Capitalize is String#capitalize: the first character in title case, the
// rest lower-cased.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	first, ok := titleSpecial[r]
	if !ok {
		first = string(unicode.ToTitle(r))
	}
	return first + Downcase(s[n:])
}
