package runtime

import (
	"math"
	"math/big"
	"strconv"
	"strings"
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
// AbstractCollection's [a, b], null "null", a double Double.toString.
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

// AppendJavaDouble appends f as Java's Double.toString prints it (JDK 19+
// shortest-digits algorithm, which is Go's too): plain notation with at
// least one fraction digit for 1e-3 <= |f| < 1e7, otherwise d.dddE±n.
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
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		b = append(b, s...)
		if !strings.Contains(s, ".") {
			b = append(b, ".0"...)
		}
		return b
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(s, "e")
	b = append(b, mant...)
	if !strings.Contains(mant, ".") {
		b = append(b, ".0"...)
	}
	b = append(b, 'E')
	e, _ := strconv.Atoi(exp)
	return strconv.AppendInt(b, int64(e), 10)
}

// AppendJSON appends v as compact JSON the way Logstash's Jackson-based
// writer prints events: no HTML escaping, non-ASCII kept as UTF-8, control
// characters as \uXXXX except \b \t \n \f \r, floats as Java doubles,
// Timestamps as strings, keys in map order.
func AppendJSON(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return AppendJSONString(b, t)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case *big.Int:
		return t.Append(b, 10)
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			// Jackson writes these as quoted tokens only when asked; by
			// default it writes the bare token, which is not valid JSON.
			return AppendJavaDouble(b, t)
		}
		return AppendJavaDouble(b, t)
	case bool:
		return strconv.AppendBool(b, t)
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
// default escaping. Invalid UTF-8 bytes become U+FFFD.
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
				i++
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
