package ruby

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"syscall"
	"testing"

	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/inputs/generator"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{Name: "ruby_bench_discard"},
		New:  func(*plugin.Settings) (plugin.Output, error) { return discard{}, nil },
	})
}

type discard struct{}

func (discard) Output(context.Context, []*event.Event) error { return nil }

// BenchmarkPipeline is the generator's events through a trivial ruby
// filter, two pipeline workers and batches of 125 (so two Ruby workers),
// beside the same pipeline without the filter and with code that reads
// each event. events/s is the figure;
// the CPU per event is gostash's and the Ruby workers'.
func BenchmarkPipeline(b *testing.B) {
	requireRuby(b)
	for _, c := range []struct{ name, filter string }{
		{"without ruby", ""},
		{"ruby", `ruby { code => "event.set('seen', true)" }`},
		// Code that reads the event has it parsed in Ruby.
		{"ruby reading", `ruby { code => "event.set('length', event.get('message').length)" }`},
	} {
		b.Run(c.name, func(b *testing.B) {
			src := fmt.Sprintf("input { generator { count => %d } } filter { %s } output { ruby_bench_discard {} }", b.N, c.filter)
			cfg, diags := lang.Parse("bench.conf", []byte(src), lang.ParseOptions{})
			if diags.HasErrors() {
				b.Fatal(diags.Format(nil))
			}
			ps := plugin.DefaultPipelineSettings(2)
			ps.WorkersSet = true
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			p, diags := pipeline.Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps, Logger: logger})
			if diags.HasErrors() {
				b.Fatal(diags.Format(nil))
			}
			goBefore, rubyBefore := cpuTime()
			b.ResetTimer()
			if err := p.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if got := p.Stats().Out.Load(); got != int64(b.N) {
				b.Fatalf("out %d, want %d", got, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			goAfter, rubyAfter := cpuTime()
			b.ReportMetric(float64(goAfter-goBefore)/float64(b.N), "go-cpu-ns/event")
			b.ReportMetric(float64(rubyAfter-rubyBefore)/float64(b.N), "ruby-cpu-ns/event")
		})
	}
}

// cpuTime is the CPU time of this process, and of its children that have
// ended (the Ruby workers, once the pipeline has closed them).
func cpuTime() (self, children int64) {
	var s, c syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &s)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &c)
	return s.Utime.Nano() + s.Stime.Nano(), c.Utime.Nano() + c.Stime.Nano()
}
