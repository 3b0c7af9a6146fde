package pipeline

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// sliceInput emits a fixed list of events, each with an ack that counts
// completions, then finishes.
type sliceInput struct {
	events []*event.Event
	acked  *sync.WaitGroup
}

func (s *sliceInput) Run(ctx context.Context, out plugin.Emitter) error {
	for _, e := range s.events {
		s.acked.Add(1)
		e.SetAck(event.NewAck(s.acked.Done))
		out.Emit(e)
	}
	return nil
}

// collectOutput records what it is given.
type collectOutput struct {
	mu     sync.Mutex
	events []*event.Event
	delay  time.Duration
}

func (c *collectOutput) Output(_ context.Context, events []*event.Event) error {
	time.Sleep(c.delay)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, events...)
	return nil
}

var (
	testInput  = &sliceInput{}
	testOutput = &collectOutput{}
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{Spec: plugin.Spec{Name: "test_slice"}, New: func(*plugin.Settings) (plugin.Input, error) { return testInput, nil }})
	plugin.RegisterOutput(plugin.OutputSpec{Spec: plugin.Spec{Name: "test_collect"}, New: func(*plugin.Settings) (plugin.Output, error) { return testOutput, nil }})
}

func runConfig(t *testing.T, src string, workers int, events []*event.Event) []*event.Event {
	t.Helper()
	files := map[string][]byte{"p.conf": []byte(src)}
	cfg, diags := lang.Parse("p.conf", []byte(src), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(files))
	}
	ps := plugin.DefaultPipelineSettings(workers)
	ps.BatchSize = 3
	ps.BatchDelay = time.Millisecond
	acked := &sync.WaitGroup{}
	*testInput = sliceInput{events: events, acked: acked}
	*testOutput = collectOutput{}
	p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps})
	if diags.HasErrors() {
		t.Fatal(diags.Format(files))
	}
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { acked.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("not every event was acknowledged")
	}
	return testOutput.events
}

func numbered(n int) []*event.Event {
	out := make([]*event.Event, n)
	for i := range out {
		out[i] = eventWith("n", int64(i))
	}
	return out
}

func TestOneWorkerKeepsOrderAndAcksEverything(t *testing.T) {
	out := runConfig(t, `input { test_slice {} } filter { if [n] == 3 { drop {} } } output { test_collect {} }`, 1, numbered(10))
	if len(out) != 9 {
		t.Fatalf("got %d events", len(out))
	}
	prev := int64(-1)
	for _, e := range out {
		n, _ := e.Get("n")
		if n.(int64) <= prev || n == int64(3) {
			t.Fatalf("order or drop broken at %v", n)
		}
		prev = n.(int64)
	}
}

func TestInputCommonOptionsAndOutputRouting(t *testing.T) {
	src := `input { test_slice { type => "t" tags => ["in-%{n}"] add_field => { "from" => "%{n}" } } }
output { if [n] == 1 { test_collect {} } }`
	in := numbered(3)
	in[2].Set("type", "kept")
	out := runConfig(t, src, 2, in)
	if len(out) != 1 {
		t.Fatalf("routed %d events", len(out))
	}
	e := out[0]
	for ref, want := range map[string]string{"type": "t", "tags": "in-1", "from": "1"} {
		if v, _ := e.Get(ref); event.ValueString(v) != want {
			t.Errorf("%s = %v, want %s", ref, v, want)
		}
	}
}

func TestShutdownDrainsInFlightEvents(t *testing.T) {
	*testOutput = collectOutput{delay: 20 * time.Millisecond}
	cfg, _ := lang.Parse("p.conf", []byte(`input { test_slice {} } output { test_collect {} }`), lang.ParseOptions{})
	acked := &sync.WaitGroup{}
	*testInput = sliceInput{events: numbered(50), acked: acked}
	*testOutput = collectOutput{delay: 20 * time.Millisecond}
	ps := plugin.DefaultPipelineSettings(2)
	ps.BatchSize = 5
	p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	acked.Wait()
	if len(testOutput.events) != 50 {
		t.Fatalf("delivered %d of 50 after shutdown", len(testOutput.events))
	}
}
