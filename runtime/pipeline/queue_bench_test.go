//go:build unix

package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

// BenchmarkQueueTypes is one pipeline with each queue type, for events/s
// side by side: the generator, three filters that do nothing and an output
// that discards, two workers. The persisted queue has Logstash's defaults
// (64mb pages, a sync every 1024 writes, a checkpoint every 1024
// acknowledgements) in a temporary directory, so the figure includes
// writing every event to disk and syncing it.
func BenchmarkQueueTypes(b *testing.B) {
	for _, queueType := range []string{"memory", "persisted"} {
		b.Run("queue="+queueType, func(b *testing.B) {
			cfg, diags := lang.Parse("bench.conf", []byte(fmt.Sprintf(`input { generator { count => %d } }
filter { bench_pass {} bench_pass {} bench_pass {} }
output { bench_discard {} }`, b.N)), lang.ParseOptions{})
			if diags.HasErrors() {
				b.Fatalf("parse: %v", diags)
			}
			ps := plugin.DefaultPipelineSettings(2)
			ps.WorkersSet = true
			ps.Queue.Type = queueType
			ps.Queue.Path = b.TempDir()
			// Drained, so that every event counts as processed.
			ps.Queue.Drain = true
			logger := slog.New(logging.NewLogHandler(io.Discard, slog.LevelError))
			p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps, Logger: logger})
			if diags.HasErrors() {
				b.Fatalf("compile: %v", diags)
			}
			b.ReportAllocs()
			before := benchUsage()
			b.ResetTimer()
			if err := p.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if got := p.Stats().Out.Load(); got != int64(b.N) {
				b.Fatalf("out %d, want %d", got, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			benchUsage().report(b, before)
		})
	}
}
