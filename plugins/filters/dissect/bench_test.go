package dissect

import (
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// BenchmarkDissect splits a syslog-like line into six fields (one append,
// one padded, one indirect) and converts one to an integer, per event.
func BenchmarkDissect(b *testing.B) {
	f := plugintest.Filter(b, `dissect { mapping => { "message" => "%{ts->} %{+ts} %{+ts} %{server} %{prog}[%{pid}]: %{?key}=%{&key}" } convert_datatype => { "pid" => "int" } }`).Plugin
	const line = "Oct  1 02:03:04 host2 cron[17]: status=done"
	b.ReportAllocs()
	for b.Loop() {
		e := event.NewEvent()
		e.Data().Set("message", line)
		if !f.Filter(e, nil) {
			b.Fatal("line did not match")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
