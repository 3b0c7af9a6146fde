//go:build unix

package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/codecs/dots"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/inputs/generator"
	_ "github.com/gostash/gostash/plugins/outputs/stdout"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

// countOption is how many events the test input emits.
var countOption = plugin.Int("count").Default(1)

// The benchmark plugins: a filter that matches and does nothing, so the
// numbers are the pipeline's own cost, and an output that discards.
func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{Name: "bench_pass"},
		New:  func(*plugin.Settings) (plugin.Filter, error) { return benchPass{}, nil },
	})
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{Name: "bench_repeat", Options: []plugin.Declared{countOption}},
		New:  func(s *plugin.Settings) (plugin.Input, error) { return benchRepeat(countOption.Get(s)), nil },
	})
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{Name: "bench_sleep"},
		New:  func(*plugin.Settings) (plugin.Filter, error) { return benchSleep{}, nil },
	})
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{Name: "bench_discard"},
		New:  func(*plugin.Settings) (plugin.Output, error) { return benchDiscard{}, nil },
	})
}

// benchRepeat emits one prepared event count times: no event is built, so
// what is measured is the pipeline alone (queue, batches, routing).
type benchRepeat int64

func (n benchRepeat) Run(ctx context.Context, out plugin.Emitter) error {
	e := event.NewEvent()
	e.Set("message", "Hello world!")
	for i := int64(0); i < int64(n) && ctx.Err() == nil; i++ {
		out.EmitDecorated(e)
	}
	return nil
}

type benchPass struct{}

func (benchPass) Filter(*event.Event, func(*event.Event)) bool { return true }

// benchSleep takes a known time per event on the timing clock
// TestFilterTimesAreTheirOwn installs: tick advances it.
type benchSleep struct{}

const benchSleepFor = 2 * time.Millisecond

var tick func()

func (benchSleep) Filter(*event.Event, func(*event.Event)) bool {
	tick()
	return true
}

type benchDiscard struct{}

func (benchDiscard) Output(context.Context, []*event.Event) error { return nil }

func benchCompile(b *testing.B, src string, workers int) *Pipeline {
	b.Helper()
	cfg, diags := lang.Parse("bench.conf", []byte(src), lang.ParseOptions{})
	if diags.HasErrors() {
		b.Fatalf("parse: %v", diags)
	}
	ps := plugin.DefaultPipelineSettings(workers)
	ps.WorkersSet = true
	logger := slog.New(logging.NewLogHandler(io.Discard, slog.LevelError))
	p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps, Logger: logger})
	if diags.HasErrors() {
		b.Fatalf("compile: %v", diags)
	}
	return p
}

// BenchmarkPipeline is the whole pipeline per event: the generator input
// (plain codec, ECS fields), the queue, worker batches, a chain of three
// filters, and an output that discards. events/s is the figure to compare
// with Logstash's benchmark-cli baseline.
func BenchmarkPipeline(b *testing.B) {
	benchPipeline(b, "generator", "bench_pass {} bench_pass {} bench_pass {}")
}

// BenchmarkPipelineOverhead is the pipeline's own cost per event: one
// prepared event emitted over and over, no filters, a discarding output.
func BenchmarkPipelineOverhead(b *testing.B) {
	benchPipeline(b, "bench_repeat", "")
}

// BenchmarkPipelineFilters is the pipeline's cost of running filters: the
// prepared event through three filters that do nothing.
func BenchmarkPipelineFilters(b *testing.B) {
	benchPipeline(b, "bench_repeat", "bench_pass {} bench_pass {} bench_pass {}")
}

// BenchmarkBaseline is Logstash benchmark-cli's baseline as scripts/bench.sh
// runs it: the generator through stdout's dots codec, written to
// /dev/null.
func BenchmarkBaseline(b *testing.B) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devNull.Close()
	stdout := os.Stdout
	// The stdout output takes os.Stdout when it is built.
	os.Stdout = devNull
	defer func() { os.Stdout = stdout }()
	benchPipelineOutput(b, "generator", "", "stdout { codec => dots }")
}

func benchPipeline(b *testing.B, input, filters string) {
	benchPipelineOutput(b, input, filters, "bench_discard {}")
}

func benchPipelineOutput(b *testing.B, input, filters, output string) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			p := benchCompile(b, fmt.Sprintf(`input { %s { count => %d } }
filter { %s }
output { %s }`, input, b.N, filters, output), workers)
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

// benchRusage is the process's CPU time and context switches. On a busy
// machine wall time says little; CPU per event and voluntary switches per
// thousand events (a goroutine parking, typically on the queue) still do.
type benchRusage struct {
	cpu      int64
	switches int64
}

func benchUsage() benchRusage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return benchRusage{cpu: ru.Utime.Nano() + ru.Stime.Nano(), switches: int64(ru.Nvcsw)}
}

func (u benchRusage) report(b *testing.B, before benchRusage) {
	b.ReportMetric(float64(u.cpu-before.cpu)/float64(b.N), "cpu-ns/event")
	b.ReportMetric(float64(u.switches-before.switches)*1000/float64(b.N), "switches/kevent")
}

// benchConditions routes events through an if/else-if chain of the kinds
// of tests real configs use: equality and comparison, membership, regexp,
// field presence, negation.
const benchConditions = `filter {
  if [type] == "apache" and [status] >= 400 {
    bench_pass { add_tag => ["error"] }
  } else if "beta" in [tags] or [service][name] in ["api", "web"] {
    bench_pass {}
  } else if [message] =~ /^GET \/index/ and ![ignored] {
    bench_pass {}
  } else {
    bench_pass {}
  }
  if [status] != 200 { bench_pass {} }
}`

// BenchmarkConditionals measures condition evaluation per event: a batch
// of events with mixed shapes through the filter section above.
func BenchmarkConditionals(b *testing.B) {
	p := benchCompile(b, benchConditions, 1)
	shapes := []func(e *event.Event){
		func(e *event.Event) { e.Set("type", "apache"); e.Set("status", int64(404)) },
		func(e *event.Event) {
			e.Set("type", "apache")
			e.Set("status", int64(200))
			e.Set("tags", []any{"alpha", "beta"})
		},
		func(e *event.Event) { e.Set("[service][name]", "web"); e.Set("status", int64(200)) },
		func(e *event.Event) { e.Set("message", "GET /index.html HTTP/1.1"); e.Set("status", int64(301)) },
		func(e *event.Event) { e.Set("message", "POST /login") },
	}
	const batch = 125
	events := make([]*event.Event, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		n := min(batch, b.N-done)
		b.StopTimer()
		for i := range events[:n] {
			events[i] = event.NewEvent()
			shapes[(done+i)%len(shapes)](events[i])
		}
		b.StartTimer()
		if out := p.ProcessFilters(events[:n]); len(out) != n {
			b.Fatalf("%d events out of %d", len(out), n)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// TestBenchConfigsCompile keeps the benchmark configs valid under plain
// `go test`, which does not run benchmarks.
func TestBenchConfigsCompile(t *testing.T) {
	for _, src := range []string{benchConditions} {
		if _, diags := lang.Parse("bench.conf", []byte(src), lang.ParseOptions{}); diags.HasErrors() {
			t.Errorf("%s: %v", strings.SplitN(src, "\n", 2)[0], diags)
		}
	}
}

// TestFilterTimesAreTheirOwn checks the per-filter durations the
// monitoring API reports: a filter's time is its own calls', not its
// neighbours' (each call's end is the next one's start), across a branch
// too. The timing clock is one only the tick filter advances, so every
// filter's time is known exactly.
func TestFilterTimesAreTheirOwn(t *testing.T) {
	const events = 5
	var fake atomic.Int64
	real := sinceEpoch
	sinceEpoch = func() time.Duration { return time.Duration(fake.Load()) }
	defer func() { sinceEpoch = real }()
	tick = func() { fake.Add(int64(benchSleepFor)) }
	cfg, diags := lang.Parse("t.conf", []byte(fmt.Sprintf(`input { bench_repeat { count => %d } }
filter { bench_pass { id => "before" } bench_sleep { id => "sleep" } bench_pass { id => "after" }
  if [message] { bench_pass { id => "branch" } } }
output { bench_discard {} }`, events)), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ps := plugin.DefaultPipelineSettings(1)
	p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps, Logger: slog.New(logging.NewLogHandler(io.Discard, slog.LevelError))})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, filters, _ := p.PluginStats()
	for _, f := range filters {
		took := time.Duration(f.DurationNanos.Load())
		if f.In.Load() != events || f.Out.Load() != events {
			t.Errorf("%s: in %d out %d, want %d", f.ID, f.In.Load(), f.Out.Load(), events)
		}
		switch {
		case f.ID == "sleep" && took != events*benchSleepFor:
			t.Errorf("sleep took %v, want its %d ticks of %v", took, events, benchSleepFor)
		case f.ID != "sleep" && took != 0:
			t.Errorf("%s took %v: the sleeping filter's time leaked into it", f.ID, took)
		}
	}
}
