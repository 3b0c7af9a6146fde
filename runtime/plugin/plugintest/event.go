package plugintest

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

// Now is the @timestamp Event gives events that have none: the clock the
// golden cases run with.
const Now = "2026-01-02T03:04:05.678Z"

// Event builds an event from a JSON object, with @timestamp set to Now
// unless the object has one.
func Event(t testing.TB, jsonText string) *event.Event {
	t.Helper()
	v, err := event.DecodeJSON([]byte(jsonText))
	if err != nil {
		t.Fatalf("bad test event %s: %v", jsonText, err)
	}
	m, ok := v.(*event.Map)
	if !ok {
		t.Fatalf("a test event is a JSON object, not %s", jsonText)
	}
	if !m.Has(event.TimestampField) {
		m.Set(event.TimestampField, Now)
	}
	return event.NewEventFromMap(m)
}

// JSON renders e's data as compact JSON (as the json codecs write it,
// without @metadata), leaving out the top-level fields named in omit.
func JSON(e *event.Event, omit ...string) string {
	data := e.Data()
	if len(omit) > 0 {
		data = data.Clone()
		for _, k := range omit {
			data.Delete(k)
		}
	}
	return string(event.AppendJSON(nil, data))
}

// JSONLines is JSON for each event, one per line.
func JSONLines(events []*event.Event, omit ...string) string {
	var b strings.Builder
	for _, e := range events {
		b.WriteString(JSON(e, omit...))
		b.WriteByte('\n')
	}
	return b.String()
}

// Data is JSON without @timestamp and @version, so that expectations about
// what a filter did stay short.
func Data(e *event.Event) string {
	return JSON(e, event.TimestampField, event.VersionField)
}
