package textcodec

import "github.com/gostash/gostash/runtime/event"

// AppendEventString appends Logstash's Event#to_s, the plain and line
// codecs' output without `format`: "<@timestamp> <host> <message>", with
// the literal text %{host} or %{message} for a missing or null field and
// values printed by Java's toString (a hash host as {name=h}). Without a
// timestamp it is "<host> <message>".
func AppendEventString(b []byte, e *event.Event) []byte {
	if ts, ok := e.Timestamp(); ok {
		b = ts.AppendTo(b)
		b = append(b, ' ')
	}
	if v, ok := e.Data().Get("host"); ok && v != nil {
		b = event.AppendJavaString(b, v)
	} else {
		b = append(b, "%{host}"...)
	}
	b = append(b, ' ')
	if v, ok := e.Data().Get("message"); ok && v != nil {
		b = event.AppendJavaString(b, v)
	} else {
		b = append(b, "%{message}"...)
	}
	return b
}
