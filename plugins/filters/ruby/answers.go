package ruby

import (
	"fmt"

	"github.com/gostash/gostash/runtime/event"
)

// The worker asks gostash for the Event API methods whose exact output
// gostash already defines (Logstash's Java code in Logstash): sprintf,
// to_json, to_s, Event.from_json, timestamp parsing, and field references
// under an escape style. These are the only round trips besides the batch
// itself, and only code that calls them pays for them.

// answer computes the answer to a question frame from p's worker:
// [true, value] or [false, Ruby exception class, message].
func answer(p *process, body []byte) []byte {
	value, class, msg := compute(&p.reader, body)
	w := p.writer
	w.begin()
	if class != "" {
		w.array(3)
		w.value(false)
		w.value(class)
		w.value(msg)
		return w.b
	}
	w.array(2)
	w.value(true)
	if err := w.value(value); err != nil {
		w.begin()
		w.array(3)
		w.value(false)
		w.value("RuntimeError")
		w.value(err.Error())
	}
	return w.b
}

func compute(r *marshalReader, body []byte) (value any, class, msg string) {
	if err := r.reset(body); err != nil {
		return nil, "RuntimeError", err.Error()
	}
	v, err := r.value()
	q, _ := v.([]any)
	if err != nil || len(q) == 0 {
		return nil, "RuntimeError", fmt.Sprintf("unreadable question from the Ruby worker: %v", err)
	}
	op, _ := q[0].(string)
	args := q[1:]
	arg := func(i int) any {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	text := func(i int) string {
		s, _ := arg(i).(string)
		return s
	}
	data := func(i int) *event.Map {
		m, _ := arg(i).(*event.Map)
		if m == nil {
			m = event.NewMap(0)
		}
		return m
	}
	switch op {
	case "sprintf":
		return eventOf(data(0), arg(1)).Sprintf(text(2)), "", ""
	case "to_json":
		return string(event.AppendJSON(nil, data(0))), "", ""
	case "to_s":
		return javaEventString(data(0)), "", ""
	case "timestamp":
		if t, ok := event.ParseTimestamp(text(0)); ok {
			return t, "", ""
		}
		return false, "", ""
	case "from_json":
		events, err := eventsFromJSON(text(0))
		if err != nil {
			return nil, "LogStash::Json::ParserError", err.Error()
		}
		return events, "", ""
	case "fieldref":
		ref, err := event.ParseFieldRef(text(0))
		if err != nil {
			return nil, "RuntimeError", err.Error()
		}
		path := make([]any, len(ref.Path))
		for i, k := range ref.Path {
			path[i] = k
		}
		return []any{ref.Metadata, path}, "", ""
	}
	return nil, "NotImplementedError", fmt.Sprintf("gostash cannot answer %q", op)
}

// eventOf builds an event holding exactly data and metadata.
func eventOf(data *event.Map, meta any) *event.Event {
	e := event.NewEvent()
	replaceData(e, data)
	m, _ := meta.(*event.Map)
	setMetadata(e, m)
	return e
}

// javaEventString is Logstash's Event#to_s: the timestamp, the host and
// the message, with %{host} and %{message} standing in for missing ones.
func javaEventString(data *event.Map) string {
	var b []byte
	if t, ok := mapValue(data, event.TimestampField).(event.Timestamp); ok {
		b = t.AppendTo(b)
		b = append(b, ' ')
	}
	if v := mapValue(data, "host"); v != nil {
		b = event.AppendJavaString(b, v)
	} else {
		b = append(b, "%{host}"...)
	}
	b = append(b, ' ')
	if v := mapValue(data, "message"); v != nil {
		b = event.AppendJavaString(b, v)
	} else {
		b = append(b, "%{message}"...)
	}
	return string(b)
}

func mapValue(m *event.Map, k string) any {
	v, _ := m.Get(k)
	return v
}

// eventsFromJSON is Logstash's Event.from_json: blank text gives no
// events, an object one, an array of objects one per element; the numbers
// are Jackson's (doubles, not BigDecimals). Each event is [data, metadata]
// for the worker.
func eventsFromJSON(text string) ([]any, error) {
	v, err := event.DecodeJSONFirst([]byte(text))
	if err != nil {
		return nil, err
	}
	var maps []*event.Map
	switch t := v.(type) {
	case nil:
		return []any{}, nil
	case *event.Map:
		maps = append(maps, t)
	case []any:
		for _, x := range t {
			m, ok := x.(*event.Map)
			if !ok {
				return nil, fmt.Errorf("incompatible json array element type: only hash maps are supported")
			}
			maps = append(maps, m)
		}
	default:
		return nil, fmt.Errorf("incompatible json object type, only hash map or arrays are supported")
	}
	out := make([]any, len(maps))
	for i, m := range maps {
		e := event.NewEventFromMap(m)
		var meta any
		if e.HasMetadata() {
			meta = e.Metadata()
		}
		out[i] = []any{e.Data(), meta}
	}
	return out, nil
}
