package monitor

import (
	"math"
	"strconv"

	"github.com/gostash/gostash/runtime/event"
)

// obj is a JSON object that keeps its keys in the order Logstash prints
// them, so responses read like Logstash's side by side.
type obj []member

type member struct {
	key   string
	value any
}

func (o *obj) add(key string, value any) { *o = append(*o, member{key, value}) }

// get returns the member named key, for tests and for building one response
// from another.
func (o obj) get(key string) (any, bool) {
	for _, m := range o {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// javaFloat is a double printed the way Logstash's Jackson writer prints
// one (Double.toString: 12.0, 0.0, 1.234E7).
type javaFloat float64

// roundRate rounds a flow rate to four significant digits, half up, as
// Logstash's flow metrics do before reporting them. The rounding works on
// the shortest decimal form of f, which is the value Logstash's BigDecimal
// arithmetic starts from.
func roundRate(f float64) javaFloat {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return javaFloat(f)
	}
	rounded, err := strconv.ParseFloat(roundDecimalHalfUp(strconv.FormatFloat(f, 'e', -1, 64), 4), 64)
	if err != nil {
		return javaFloat(f)
	}
	return javaFloat(rounded)
}

// roundDecimalHalfUp rounds a number in strconv 'e' notation to n
// significant digits, half away from zero, returning 'e' notation.
func roundDecimalHalfUp(s string, n int) string {
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	ePos := len(s)
	for i := range s {
		if s[i] == 'e' {
			ePos = i
			break
		}
	}
	digits := make([]byte, 0, 20)
	for i := 0; i < ePos; i++ {
		if s[i] != '.' {
			digits = append(digits, s[i])
		}
	}
	exp, _ := strconv.Atoi(s[ePos+1:])
	if len(digits) > n {
		up := digits[n] >= '5'
		digits = digits[:n]
		if up {
			i := n - 1
			for ; i >= 0; i-- {
				if digits[i] == '9' {
					digits[i] = '0'
					continue
				}
				digits[i]++
				break
			}
			if i < 0 {
				digits = append([]byte{'1'}, digits[:n-1]...)
				exp++
			}
		}
	}
	out := make([]byte, 0, 32)
	if neg {
		out = append(out, '-')
	}
	out = append(out, digits[0], '.')
	out = append(out, digits[1:]...)
	out = append(out, 'e')
	return string(strconv.AppendInt(out, int64(exp), 10))
}

// appendJSON writes v compactly, or indented the way Jackson's default
// pretty printer does for Logstash's ?pretty: two spaces per enclosing
// object, "key" : value, arrays inline as [ a, b ].
func appendJSON(b []byte, v any, pretty bool) []byte {
	w := jsonWriter{pretty: pretty}
	return w.value(b, v, 0)
}

type jsonWriter struct{ pretty bool }

func (w jsonWriter) newline(b []byte, depth int) []byte {
	b = append(b, '\n')
	for i := 0; i < depth; i++ {
		b = append(b, ' ', ' ')
	}
	return b
}

func (w jsonWriter) value(b []byte, v any, depth int) []byte {
	switch t := v.(type) {
	case obj:
		if len(t) == 0 {
			if w.pretty {
				return append(b, "{ }"...)
			}
			return append(b, "{}"...)
		}
		b = append(b, '{')
		for i, m := range t {
			if i > 0 {
				b = append(b, ',')
			}
			if w.pretty {
				b = w.newline(b, depth+1)
			}
			b = event.AppendJSONString(b, m.key)
			if w.pretty {
				b = append(b, " : "...)
			} else {
				b = append(b, ':')
			}
			b = w.value(b, m.value, depth+1)
		}
		if w.pretty {
			b = w.newline(b, depth)
		}
		return append(b, '}')
	case []any:
		if len(t) == 0 {
			if w.pretty {
				return append(b, "[ ]"...)
			}
			return append(b, "[]"...)
		}
		b = append(b, '[')
		for i, item := range t {
			if i > 0 {
				b = append(b, ',')
			}
			if w.pretty {
				b = append(b, ' ')
			}
			b = w.value(b, item, depth)
		}
		if w.pretty {
			b = append(b, ' ')
		}
		return append(b, ']')
	case string:
		return event.AppendJSONString(b, t)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case uint64:
		return strconv.AppendUint(b, t, 10)
	case javaFloat:
		return event.AppendJavaDouble(b, float64(t))
	case float64:
		return event.AppendJavaDouble(b, t)
	case bool:
		return strconv.AppendBool(b, t)
	}
	return append(b, "null"...)
}
