package grok

import (
	"testing"

	_ "github.com/gostash/gostash/plugins/filters/date"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// BenchmarkApache models Logstash's benchmark-cli "apache" case: an Apache
// combined access-log line through grok %{COMBINEDAPACHELOG} and a date
// filter on its timestamp, per event.
func BenchmarkApache(b *testing.B) {
	for _, ecs := range []string{"disabled", "v8"} {
		b.Run("ecs="+ecs, func(b *testing.B) {
			g := plugintest.Filter(b, `grok { match => { "message" => "%{COMBINEDAPACHELOG}" } }`, plugintest.ECS(ecs)).Plugin
			d := plugintest.Filter(b, `date { match => ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"] }`, plugintest.ECS(ecs)).Plugin
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e := event.NewEvent()
				e.Data().Set("message", apacheLine)
				if !g.Filter(e, nil) || !d.Filter(e, nil) {
					b.Fatal("apache line did not parse")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
