package event

import (
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
)

// ValueString renders a value the way Logstash's sprintf does (Java
// toString rules): lists join their elements with ",", maps are compact
// JSON, floats print like Java's Double.toString, a Timestamp is its ISO form.
func ValueString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	}
	return string(AppendValueString(nil, v))
}

// AppendValueString appends ValueString(v) to b. At the top level a list
// is its elements joined with "," (nested lists flattened, null elements
// empty, as Logstash's KeyNode.join) and a map is compact JSON; inside a
// list, values print with Java's toString (a map is {k=v, k2=v2}).
func AppendValueString(b []byte, v any) []byte {
	switch t := v.(type) {
	case string:
		return append(b, t...)
	case *Map:
		return AppendJSON(b, t)
	case []any:
		return appendJoinedList(b, t)
	case nil:
		return b
	}
	return AppendJavaString(b, v)
}

func appendJoinedList(b []byte, list []any) []byte {
	for i, e := range list {
		if i > 0 {
			b = append(b, ',')
		}
		switch t := e.(type) {
		case nil:
		case []any:
			b = appendJoinedList(b, t)
		default:
			b = AppendJavaString(b, t)
		}
	}
	return b
}

// AppendJavaString appends Java's toString of an event value as Logstash
// hands it to Java code (Event#to_s prints an ECS host map this way): a map is AbstractMap's {k=v, k2=v2}, a list
// AbstractCollection's [a, b], null "null", a double Double.toString, a
// Decimal BigDecimal.toString.
func AppendJavaString(b []byte, v any) []byte {
	switch t := v.(type) {
	case string:
		return append(b, t...)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case *big.Int:
		return t.Append(b, 10)
	case float64:
		return AppendJavaDouble(b, t)
	case Decimal:
		return t.AppendJava(b)
	case bool:
		return strconv.AppendBool(b, t)
	case Timestamp:
		return t.AppendTo(b)
	case *Map:
		b = append(b, '{')
		for i, k := range t.keys {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, k...)
			b = append(b, '=')
			b = AppendJavaString(b, t.vals[i])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = AppendJavaString(b, e)
		}
		return append(b, ']')
	case nil:
		return append(b, "null"...)
	}
	return b
}

// AppendJavaDouble appends f as Java's Double.toString prints it on JDK 19
// and later (Logstash 9 runs JDK 21): the decimal with the fewest digits,
// but at least two, that reads back as f, choosing the closest when there
// are several; plain notation with at least one fraction digit for
// 1e-3 <= |f| < 1e7, otherwise d.dddE±n (4.9E-324, 1.0E23, 1.0E-4).
func AppendJavaDouble(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], math.Abs(f), 'e', -1, 64) // d[.ddd]e±XX
	if f < 0 {
		b = append(b, '-')
	}
	if e[1] == 'e' {
		// One digit is enough to read back; JDK 19+ prints the closest
		// two-digit decimal instead (4.9E-324 rather than 5.0E-324).
		e = strconv.AppendFloat(buf[:0], math.Abs(f), 'e', 1, 64)
	}
	// Split into significant digits (trailing zeros dropped) and exponent.
	var digitBuf [24]byte
	digits := digitBuf[:0]
	k := 0
	for ; e[k] != 'e'; k++ {
		if e[k] != '.' {
			digits = append(digits, e[k])
		}
	}
	for len(digits) > 1 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	exp := 0
	for _, c := range e[k+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[k+1] == '-' {
		exp = -exp
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		if exp >= 0 {
			for len(digits) <= exp {
				digits = append(digits, '0')
			}
			b = append(b, digits[:exp+1]...)
			b = append(b, '.')
			if frac := digits[exp+1:]; len(frac) > 0 {
				return append(b, frac...)
			}
			return append(b, '0')
		}
		b = append(b, "0."...)
		for i := -1; i > exp; i-- {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[0], '.')
	if len(digits) > 1 {
		b = append(b, digits[1:]...)
	} else {
		b = append(b, '0')
	}
	b = append(b, 'E')
	return strconv.AppendInt(b, int64(exp), 10)
}

// AppendJSON appends v as compact JSON the way Logstash's Jackson-based
// writer prints events: no HTML escaping, non-ASCII kept as UTF-8, control
// characters as \uXXXX except \b \t \n \f \r, floats as Java doubles,
// Decimals as BigDecimal.toString (Jackson's default), Timestamps as
// strings, keys in map order.
func AppendJSON(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return AppendJSONString(b, t)
	case int64, int, *big.Int, Decimal, bool:
		// Jackson writes integers, BigDecimals and booleans as their Java
		// toString.
		return AppendJavaString(b, t)
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			// Jackson's default QUOTE_NON_NUMERIC_NUMBERS makes these strings.
			b = append(b, '"')
			b = AppendJavaDouble(b, t)
			return append(b, '"')
		}
		return AppendJavaDouble(b, t)
	case Timestamp:
		b = append(b, '"')
		b = t.AppendTo(b)
		return append(b, '"')
	case *Map:
		b = append(b, '{')
		for i, k := range t.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONString(b, k)
			b = append(b, ':')
			b = AppendJSON(b, t.vals[i])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, e)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

const hexDigits = "0123456789ABCDEF"

// AppendJSONString appends s as a JSON string literal with Jackson's
// default escaping: \" and \\, \b \t \n \f \r, other control characters
// as \u00XX (uppercase hex), everything else (DEL, /, non-ASCII, U+2028)
// as is. Bytes that are not UTF-8 become U+FFFD the way Java's UTF-8
// decoder replaces them when the Ruby string reaches Jackson (one U+FFFD
// per malformed sequence, see javaMalformedLen).
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\uFFFD"...)
				i += javaMalformedLen(s[i:])
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func isContinuation(c byte) bool { return c&0xC0 == 0x80 }

// javaMalformedLen is how many bytes of s, which starts with a byte Go
// finds invalid, the JDK's UTF-8 decoder replaces with one U+FFFD. It
// follows the decoder's rules: a bad lead or a lead whose next byte cannot
// follow it is one byte; a three-byte sequence encoding a surrogate is
// replaced whole; a four-byte sequence is cut where it goes wrong; and an
// incomplete sequence at the very end is replaced whole.
func javaMalformedLen(s string) int {
	b1 := s[0]
	switch {
	case b1 >= 0xC2 && b1 <= 0xDF: // two-byte lead; the next byte is bad or missing
		return 1
	case b1 >= 0xE0 && b1 <= 0xEF:
		if len(s) < 3 {
			if len(s) == 2 && (b1 == 0xE0 && s[1]&0xE0 == 0x80 || !isContinuation(s[1])) {
				return 1
			}
			return len(s)
		}
		if b1 == 0xE0 && s[1]&0xE0 == 0x80 || !isContinuation(s[1]) {
			return 1
		}
		if !isContinuation(s[2]) {
			return 2
		}
		return 3 // a surrogate
	case b1 >= 0xF0 && b1 <= 0xF7:
		bad2 := func(b2 byte) bool {
			return b1 > 0xF4 || b1 == 0xF0 && (b2 < 0x90 || b2 > 0xBF) || b1 == 0xF4 && b2&0xF0 != 0x80 || !isContinuation(b2)
		}
		if len(s) < 4 {
			if len(s) > 1 && bad2(s[1]) && !(b1 > 0xF4 && isContinuation(s[1])) {
				return 1
			}
			if len(s) > 2 && !isContinuation(s[2]) {
				return 2
			}
			return len(s)
		}
		if bad2(s[1]) {
			return 1
		}
		if !isContinuation(s[2]) {
			return 2
		}
		return 3
	}
	return 1
}
