package edn

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
)

// Append writes v as the gem's to_edn writes the Ruby value Logstash holds:
// maps `{k v, k2 v2}`, lists `[a b]`, strings quoted with only `"` and `\`
// escaped, integers with an M suffix (the gem's Bignum#to_edn, which Ruby
// 2.4 and later give every Integer), BigDecimals as plain digits and M,
// floats as Ruby prints them, nil as nil. A timestamp has no to_edn and is
// an error, as in Logstash.
func Append(b []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case string:
		b = append(b, '"')
		for i := 0; i < len(t); i++ {
			if t[i] == '"' || t[i] == '\\' {
				b = append(b, '\\')
			}
			b = append(b, t[i])
		}
		return append(b, '"'), nil
	case nil:
		return append(b, "nil"...), nil
	case bool:
		if t {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case int64:
		return append(fmt.Appendf(b, "%d", t), 'M'), nil
	case *big.Int:
		return append(append(b, t.String()...), 'M'), nil
	case float64:
		return ruby.AppendFloat(b, t), nil
	case event.Decimal:
		return append(t.AppendRubyPlain(b), 'M'), nil
	case []any:
		b = append(b, '[')
		for i, it := range t {
			if i > 0 {
				b = append(b, ' ')
			}
			var err error
			if b, err = Append(b, it); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case *event.Map:
		b = append(b, '{')
		var err error
		first := true
		t.Range(func(k string, val any) bool {
			if !first {
				b = append(b, ", "...)
			}
			first = false
			if b, err = Append(b, k); err != nil {
				return false
			}
			b = append(b, ' ')
			b, err = Append(b, val)
			return err == nil
		})
		if err != nil {
			return b, err
		}
		return append(b, '}'), nil
	case event.Timestamp:
		return b, fmt.Errorf("undefined method `to_edn' for %s:LogStash::Timestamp", t)
	}
	return b, fmt.Errorf("undefined method `to_edn' for %s", strings.TrimSpace(fmt.Sprintf("%T", v)))
}

// AppendEvent writes an event's data (without @metadata) as an EDN map,
// its @timestamp as ISO-8601 text, as the edn codecs encode events.
func AppendEvent(b []byte, e *event.Event) ([]byte, error) {
	data := e.Data()
	if ts, ok := e.Timestamp(); ok {
		data = data.Clone()
		data.Set(event.TimestampField, ts.String())
	}
	return Append(b, data)
}
