package event

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// FieldRef is a parsed field reference such as `[a][b]`, `a.b` (one key) or
// `[@metadata][x]`. Parsing follows Logstash's strict tokenizer: embedded
// references like `[[a][b]][c]` flatten to a, b, c; text outside brackets,
// empty fragments and unbalanced brackets are errors.
type FieldRef struct {
	// Path is the chain of keys from the event's root (or from the metadata
	// map when Metadata is set, in which case "@metadata" itself is not in Path).
	Path     []string
	Metadata bool
	raw      string
}

// String returns the reference as written.
func (r FieldRef) String() string { return r.raw }

// InvalidFieldRefError is returned for references the strict grammar rejects.
type InvalidFieldRefError struct{ Ref string }

func (e *InvalidFieldRefError) Error() string {
	return fmt.Sprintf("Invalid FieldReference: `%s`", e.Ref)
}

// Field reference escape styles (config.field_reference.escape_style).
const (
	FieldRefEscapeNone      = "none"
	FieldRefEscapePercent   = "percent"
	FieldRefEscapeAmpersand = "ampersand"
)

var fieldRefEscapeStyle atomic.Value // string

// SetFieldRefEscapeStyle selects how escaped brackets inside field names are
// decoded: "none" (the default; no escapes), "percent" (%5B and %5D, and in
// general URL percent-decoding) or "ampersand" (&#91; and &#93;, any decimal
// code point). It mirrors --field-reference-escape-style and should be called
// once at startup, before any config is compiled: references parsed earlier
// keep the style they were parsed with, so the caches are reset here.
func SetFieldRefEscapeStyle(style string) error {
	switch style {
	case FieldRefEscapeNone, FieldRefEscapePercent, FieldRefEscapeAmpersand:
	default:
		return fmt.Errorf("invalid field reference escape style %q: expected one of none, percent, ampersand", style)
	}
	fieldRefEscapeStyle.Store(style)
	fieldRefCache.Clear()
	fieldRefCacheSize.Store(0)
	templateCache.Clear() // Sprintf's templates hold parsed references
	templateCacheSize.Store(0)
	return nil
}

// FieldRefEscapeStyle returns the style set by SetFieldRefEscapeStyle.
func FieldRefEscapeStyle() string {
	if s, ok := fieldRefEscapeStyle.Load().(string); ok {
		return s
	}
	return FieldRefEscapeNone
}

// The cache is bounded like Logstash's (which stops caching past 10,000
// references): references normally come from a handful of config strings,
// but a plugin resolving event-provided names must not grow it forever.
const fieldRefCacheLimit = 10000

var (
	fieldRefCache     sync.Map // string -> FieldRef or error
	fieldRefCacheSize atomic.Int64
)

// ParseFieldRef parses s, caching the result: references come from a small
// set of config strings but are used for every event.
func ParseFieldRef(s string) (FieldRef, error) {
	if v, ok := fieldRefCache.Load(s); ok {
		if err, bad := v.(error); bad {
			return FieldRef{}, err
		}
		return v.(FieldRef), nil
	}
	r, err := parseFieldRef(s, FieldRefEscapeStyle())
	if fieldRefCacheSize.Load() < fieldRefCacheLimit {
		var cached any = r
		if err != nil {
			cached = err
		}
		if _, loaded := fieldRefCache.LoadOrStore(s, cached); !loaded {
			fieldRefCacheSize.Add(1)
		}
	}
	if err != nil {
		return FieldRef{}, err
	}
	return r, nil
}

// MustFieldRef is ParseFieldRef for references known to be valid at compile time.
func MustFieldRef(s string) FieldRef {
	r, err := ParseFieldRef(s)
	if err != nil {
		panic(err)
	}
	return r
}

// parseFieldRef tokenizes s strictly. A string without brackets is one key.
// Otherwise every name must sit directly between '[' and ']' and bracket
// depth must never go negative and end at zero; that single rule accepts
// exactly Logstash's forms, embedded references included ([[a][b]][c] is
// a, b, c), and rejects text outside or between groups, empty fragments,
// unbalanced brackets and brackets inside names.
func parseFieldRef(s, style string) (FieldRef, error) {
	var path []string
	if !strings.ContainsAny(s, "[]") {
		path = []string{s}
	} else {
		depth := 0
		for i := 0; i < len(s); {
			switch s[i] {
			case '[':
				if i+1 < len(s) && s[i+1] == ']' {
					return FieldRef{}, &InvalidFieldRefError{s}
				}
				depth++
				i++
			case ']':
				depth--
				if depth < 0 {
					return FieldRef{}, &InvalidFieldRefError{s}
				}
				i++
			default:
				j := i
				for j < len(s) && s[j] != '[' && s[j] != ']' {
					j++
				}
				if i == 0 || s[i-1] != '[' || j == len(s) || s[j] != ']' {
					return FieldRef{}, &InvalidFieldRefError{s}
				}
				path = append(path, s[i:j])
				i = j
			}
		}
		if depth != 0 || len(path) == 0 {
			return FieldRef{}, &InvalidFieldRefError{s}
		}
	}
	if style != FieldRefEscapeNone {
		for i, p := range path {
			u, err := unescapeFieldName(p, style)
			if err != nil {
				return FieldRef{}, err
			}
			path[i] = u
		}
	}
	r := FieldRef{Path: path, raw: s}
	if path[0] == MetadataField {
		r.Metadata = true
		r.Path = path[1:]
	}
	return r, nil
}

func unescapeFieldName(s, style string) (string, error) {
	switch style {
	case FieldRefEscapePercent:
		return unescapePercent(s)
	case FieldRefEscapeAmpersand:
		return unescapeAmpersand(s)
	}
	return s, nil
}

// unescapePercent decodes a name when it holds at least one %XX with
// uppercase hex digits. The decoding is then Java's URLDecoder with UTF-8:
// every %xx (either case) is a byte, '+' is a space, invalid UTF-8 becomes
// U+FFFD, and a '%' without two hex digits after it is an error. A name
// without an uppercase %XX is kept as written, so "95%" stays "95%".
func unescapePercent(s string) (string, error) {
	if !hasUppercasePercentEscape(s) {
		return s, nil
	}
	var b strings.Builder
	var bytes []byte
	flush := func() {
		if len(bytes) > 0 {
			b.WriteString(strings.ToValidUTF8(string(bytes), "\uFFFD"))
			bytes = bytes[:0]
		}
	}
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '+':
			flush()
			b.WriteByte(' ')
			i++
		case '%':
			if i+2 >= len(s) {
				return "", fmt.Errorf("URLDecoder: Incomplete trailing escape (%%) pattern")
			}
			v, err := parseURLDecoderHex(s[i+1 : i+3])
			if err != nil {
				return "", err
			}
			bytes = append(bytes, v)
			i += 3
		default:
			flush()
			b.WriteByte(c)
			i++
		}
	}
	flush()
	return b.String(), nil
}

// parseURLDecoderHex reads the two characters after a '%' the way
// URLDecoder does, with Integer.parseInt(radix 16): a sign is accepted, so
// "%+5" is byte 5 and "%-0" byte 0, while a negative value is an error.
func parseURLDecoderHex(h string) (byte, error) {
	digits, neg := h, false
	if h[0] == '+' || h[0] == '-' {
		digits, neg = h[1:], h[0] == '-'
	}
	var v byte
	for i := 0; i < len(digits); i++ {
		d, ok := unhex(digits[i])
		if !ok {
			return 0, fmt.Errorf("URLDecoder: Illegal hex characters in escape (%%) pattern - For input string: \"%s\" under radix 16", h)
		}
		v = v<<4 | d
	}
	if neg && v != 0 {
		return 0, fmt.Errorf("URLDecoder: Illegal hex characters in escape (%%) pattern - negative value")
	}
	return v, nil
}

func hasUppercasePercentEscape(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '%' && isUpperHex(s[i+1]) && isUpperHex(s[i+2]) {
			return true
		}
	}
	return false
}

func isUpperHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' }

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescapeAmpersand replaces every &#DD; (two or more decimal digits) with
// that code point. A number past U+10FFFF is an error, as in Java's
// Character.toChars; a surrogate code point cannot live in UTF-8 and
// becomes U+FFFD.
func unescapeAmpersand(s string) (string, error) {
	if !strings.Contains(s, "&#") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' && i+1 < len(s) && s[i+1] == '#' {
			j := i + 2
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j-(i+2) >= 2 && j < len(s) && s[j] == ';' {
				n, err := strconv.ParseInt(s[i+2:j], 10, 32)
				if err != nil {
					return "", fmt.Errorf("For input string: %q", s[i+2:j])
				}
				if n > utf8.MaxRune {
					return "", fmt.Errorf("Not a valid Unicode code point: 0x%X", n)
				}
				b.WriteRune(rune(n))
				i = j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), nil
}
