package elasticsearch_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/gostash/gostash/plugins/internal/estest"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// BenchmarkOutput sends generator-like events in batches of 125 (Logstash's
// default batch) to the test node through one output instance, as one
// pipeline worker does; it reports events per second. It needs the node.
func BenchmarkOutput(b *testing.B) {
	n := estest.Require(b)
	index := n.Name(b, "bench-output")
	out := plugintest.Output(b, `elasticsearch { hosts => ["`+n.URL+`"] index => "`+index+`" }`).Plugin
	batch := make([]*event.Event, 125)
	seq := 0
	b.ResetTimer()
	for sent := 0; sent < b.N; sent += len(batch) {
		for i := range batch {
			e := event.NewEvent()
			e.Data().Set("message", "Hello world!")
			e.Data().Set("sequence", strconv.Itoa(seq))
			seq++
			batch[i] = e
		}
		if err := out.Output(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(seq)/b.Elapsed().Seconds(), "events/s")
}
