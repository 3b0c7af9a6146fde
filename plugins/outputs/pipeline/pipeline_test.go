package pipeline_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/inputs/generator"
	_ "github.com/gostash/gostash/plugins/inputs/pipeline"
	_ "github.com/gostash/gostash/plugins/outputs/pipeline"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/pipelinebus"
	"github.com/gostash/gostash/runtime/plugin"
)

// gate is an output that holds every batch until it is opened, and counts
// what it delivered.
type gate struct {
	open      chan struct{}
	first     chan struct{}
	firstOnce sync.Once
	delivered atomic.Int64
}

func (g *gate) Output(_ context.Context, events []*event.Event) error {
	g.firstOnce.Do(func() { close(g.first) })
	<-g.open
	g.delivered.Add(int64(len(events)))
	return nil
}

var theGate = &gate{open: make(chan struct{}), first: make(chan struct{})}

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{Spec: plugin.Spec{Name: "test_gate"}, New: func(*plugin.Settings) (plugin.Output, error) { return theGate, nil }})
}

func compile(t *testing.T, id, text string, bus *pipelinebus.Bus) *pipeline.Pipeline {
	t.Helper()
	cfg, diags := lang.Parse(id+".conf", []byte(text), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	ps := plugin.DefaultPipelineSettings(1)
	ps.ID, ps.BatchSize, ps.BatchDelay = id, 10, time.Millisecond
	p, diags := pipeline.Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps, Bus: bus})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	return p
}

// TestBackPressureBetweenPipelines: while the downstream pipeline's output
// is blocked, its full queue blocks the upstream pipeline's output, whose
// full queue blocks the generator: the upstream takes in no more than the
// queues and batches in between hold. Opened, everything arrives.
func TestBackPressureBetweenPipelines(t *testing.T) {
	const total = 100000
	bus := pipelinebus.New()
	down := compile(t, "down", `input { pipeline { address => "slow" } } output { test_gate {} }`, bus)
	up := compile(t, "up", `input { generator { count => 100000 } } output { pipeline { send_to => ["slow"] } }`, bus)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	downDone := make(chan error, 1)
	go func() { downDone <- down.Run(ctx) }()
	<-down.Ready()
	upDone := make(chan error, 1)
	go func() { upDone <- up.Run(context.Background()) }()

	<-theGate.first
	// Give an upstream without back-pressure ample time to overrun.
	time.Sleep(300 * time.Millisecond)
	// Queues of 10, batches of 10, and the generator's burst of 64 in
	// flight: a few hundred events at most.
	if in := up.Stats().In.Load(); in > 1000 {
		t.Fatalf("the upstream took in %d events while the downstream output was blocked", in)
	}
	close(theGate.open)
	if err := <-upDone; err != nil {
		t.Fatal(err)
	}
	bus.SetBlockOnUnlisten(true)
	cancel()
	if err := <-downDone; err != nil {
		t.Fatal(err)
	}
	if got := theGate.delivered.Load(); got != total {
		t.Fatalf("delivered %d of %d", got, total)
	}
	if s := down.Stats(); s.In.Load() != total || s.Out.Load() != total {
		t.Errorf("downstream in %d out %d", s.In.Load(), s.Out.Load())
	}
}
