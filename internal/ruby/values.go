package ruby

import (
	"math/big"
	"strings"

	"github.com/gostash/gostash/runtime/event"
)

// FloatToS is Ruby's Float#to_s (see AppendFloat).
func FloatToS(f float64) string {
	var buf [32]byte
	return string(AppendFloat(buf[:0], f))
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
	case event.Decimal:
		return t.RubyToS()
	case *event.Map:
		return Inspect(t)
	case []any:
		return Inspect(t)
	}
	return event.ValueString(v)
}

// Inspect is Ruby's inspect (JRuby 9.4 / Ruby 3.1 layout: `{"a"=>1}`).
func Inspect(v any) string {
	return string(appendInspect(nil, v))
}

func appendInspect(b []byte, v any) []byte {
	switch t := v.(type) {
	case string:
		return AppendInspect(b, t)
	case nil:
		return append(b, "nil"...)
	case float64:
		return AppendFloat(b, t)
	case event.Decimal:
		return t.AppendRubyToS(b) // BigDecimal#inspect is its to_s
	case event.Timestamp:
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
	case *event.Map:
		b = append(b, '{')
		i := 0
		t.Range(func(k string, e any) bool {
			if i > 0 {
				b = append(b, ", "...)
			}
			i++
			b = AppendInspect(b, k)
			b = append(b, "=>"...)
			b = appendInspect(b, e)
			return true
		})
		return append(b, '}')
	}
	return event.AppendValueString(b, v)
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
