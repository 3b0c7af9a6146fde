package ruby

import (
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// BenchmarkBatchFrame is gostash's side of sending a batch of 125
// generator events to Ruby.
func BenchmarkBatchFrame(b *testing.B) {
	events := make([]*event.Event, 125)
	for i := range events {
		events[i] = plugintest.Event(b, `{"message":"Hello world!","event":{"original":"Hello world!","sequence":12345},"host":{"name":"vm"}}`)
	}
	w := jsonWriter{decimals: map[string]event.Decimal{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.batch(events); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}
