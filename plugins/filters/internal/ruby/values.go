package ruby

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/gostash/gostash/runtime"
)

// FloatToS is Ruby's Float#to_s: the shortest round-tripping digits, plain
// notation when 1e-4 <= |f| < 1e15, else `1.0e+20` style.
func FloatToS(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	digits := strconv.FormatFloat(math.Abs(f), 'e', -1, 64) // d.ddde±XX
	mant, expText, _ := strings.Cut(digits, "e")
	exp, _ := strconv.Atoi(expText)
	sign := ""
	if f < 0 {
		sign = "-"
	}
	if exp < -4 || exp > 14 {
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		es := "+"
		if exp < 0 {
			es = "-"
			exp = -exp
		}
		e := strconv.Itoa(exp)
		if len(e) < 2 {
			e = "0" + e
		}
		return sign + mant + "e" + es + e
	}
	s := strconv.FormatFloat(math.Abs(f), 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return sign + s
}

// ToS is Ruby's to_s of an event value as Logstash exposes it to Ruby code.
func ToS(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case float64:
		return FloatToS(t)
	case runtime.Decimal:
		return t.RubyToS()
	case *runtime.Map:
		return Inspect(t)
	case []any:
		return Inspect(t)
	}
	return runtime.ValueString(v)
}

// Inspect is Ruby's inspect (JRuby 9.4 / Ruby 3.1 layout: `{"a"=>1}`).
func Inspect(v any) string {
	return string(appendInspect(nil, v))
}

func appendInspect(b []byte, v any) []byte {
	switch t := v.(type) {
	case string:
		return appendInspectString(b, t)
	case nil:
		return append(b, "nil"...)
	case float64:
		return append(b, FloatToS(t)...)
	case runtime.Decimal:
		return t.AppendRubyToS(b) // BigDecimal#inspect is its to_s
	case runtime.Timestamp:
		return t.AppendTo(b)
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendInspect(b, e)
		}
		return append(b, ']')
	case *runtime.Map:
		b = append(b, '{')
		i := 0
		t.Range(func(k string, e any) bool {
			if i > 0 {
				b = append(b, ", "...)
			}
			i++
			b = appendInspectString(b, k)
			b = append(b, "=>"...)
			b = appendInspect(b, e)
			return true
		})
		return append(b, '}')
	}
	return runtime.AppendValueString(b, v)
}

func appendInspectString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, `\n`...)
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\f':
			b = append(b, `\f`...)
		case '\v':
			b = append(b, `\v`...)
		case '\a':
			b = append(b, `\a`...)
		case '\b':
			b = append(b, `\b`...)
		case 0x1b:
			b = append(b, `\e`...)
		case '#':
			if i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '$' || s[i+1] == '@') {
				b = append(b, '\\', '#')
			} else {
				b = append(b, '#')
			}
		default:
			if c < 0x20 || c == 0x7f {
				b = append(b, `\u00`...)
				b = append(b, strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:])...)
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

// Join is Array#join(sep): a nested array is joined recursively with the
// same separator, nil is empty, other values use to_s (hashes: inspect).
func Join(list []any, sep string) string {
	var b strings.Builder
	for i, e := range list {
		if i > 0 {
			b.WriteString(sep)
		}
		if nested, ok := e.([]any); ok {
			b.WriteString(Join(nested, sep))
		} else {
			b.WriteString(ToS(e))
		}
	}
	return b.String()
}

// Normalize turns a *big.Int that fits 64 bits into an int64, as event
// values keep small integers as int64.
func Normalize(n *big.Int) any {
	if n.IsInt64() {
		return n.Int64()
	}
	return n
}
