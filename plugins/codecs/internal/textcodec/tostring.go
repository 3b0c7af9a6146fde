package textcodec

import (
	"math/big"
	"strconv"

	"github.com/gostash/gostash/runtime"
)

// AppendEventString appends Logstash's Event#to_s, the plain and line
// codecs' output without `format`: "<@timestamp> <host> <message>", with
// the literal text %{host} or %{message} for a missing or null field and
// values printed by Java's toString (a hash host as {name=h}). Without a
// timestamp it is "<host> <message>".
func AppendEventString(b []byte, e *runtime.Event) []byte {
	if ts, ok := e.Timestamp(); ok {
		b = ts.AppendTo(b)
		b = append(b, ' ')
	}
	if v, ok := e.Data().Get("host"); ok && v != nil {
		b = AppendJavaString(b, v)
	} else {
		b = append(b, "%{host}"...)
	}
	b = append(b, ' ')
	if v, ok := e.Data().Get("message"); ok && v != nil {
		b = AppendJavaString(b, v)
	} else {
		b = append(b, "%{message}"...)
	}
	return b
}

// AppendJavaString appends v as Java's toString prints the value Logstash
// hands out for it: maps as {k=v, k2=v2}, lists as [a, b], null as "null"
// inside them, doubles as Double.toString.
func AppendJavaString(b []byte, v any) []byte {
	switch t := v.(type) {
	case string:
		return append(b, t...)
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case *big.Int:
		return t.Append(b, 10)
	case float64:
		return runtime.AppendJavaDouble(b, t)
	case runtime.Decimal:
		return t.AppendJava(b)
	case bool:
		return strconv.AppendBool(b, t)
	case runtime.Timestamp:
		return t.AppendTo(b)
	case *runtime.Map:
		b = append(b, '{')
		for i, k := range t.Keys() {
			if i > 0 {
				b = append(b, ',', ' ')
			}
			b = append(b, k...)
			b = append(b, '=')
			x, _ := t.Get(k)
			b = AppendJavaString(b, x)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, x := range t {
			if i > 0 {
				b = append(b, ',', ' ')
			}
			b = AppendJavaString(b, x)
		}
		return append(b, ']')
	}
	return runtime.AppendValueString(b, v)
}
