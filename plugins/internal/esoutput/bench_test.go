package esoutput

import (
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// BenchmarkMap is the per-event cost of making a bulk action of a
// generator-like event: the index sprintf with a date and the JSON.
func BenchmarkMap(b *testing.B) {
	e := event.NewEvent()
	e.SetTimestamp(event.Timestamp{Time: time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC)})
	e.Data().Set("message", "Hello world!")
	host := event.NewMap(1)
	host.Set("name", "bench-host")
	e.Data().Set("host", host)
	ev := event.NewMap(2)
	ev.Set("original", "Hello world!")
	ev.Set("sequence", int64(12345))
	e.Data().Set("event", ev)
	m := &Mapper{Index: event.MustTemplate("ecs-logstash-%{+yyyy.MM.dd}")}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, _, err = m.Map(buf[:0], e)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}
