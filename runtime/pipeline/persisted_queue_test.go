package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

// ackInput emits its events with acknowledgements that report on acked.
type ackInput struct {
	events []*event.Event
	acked  chan int
}

func (in *ackInput) Run(ctx context.Context, out plugin.Emitter) error {
	for i, e := range in.events {
		e.SetAck(event.NewAck(func() { in.acked <- i }))
		out.Emit(e)
	}
	return nil
}

// gateOutput holds every batch until open is closed, then collects it, or
// fails it when fail is set.
type gateOutput struct {
	open   chan struct{}
	fail   bool
	mu     sync.Mutex
	events []*event.Event
}

func (g *gateOutput) Output(ctx context.Context, events []*event.Event) error {
	<-g.open
	if g.fail {
		return errors.New("the destination refused the batch")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range events {
		g.events = append(g.events, e.Clone())
	}
	return nil
}

var (
	pqInput  = &ackInput{}
	pqOutput = &gateOutput{}
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{Spec: plugin.Spec{Name: "test_pq_acked"}, New: func(*plugin.Settings) (plugin.Input, error) { return pqInput, nil }})
	plugin.RegisterOutput(plugin.OutputSpec{Spec: plugin.Spec{Name: "test_pq_gate"}, New: func(*plugin.Settings) (plugin.Output, error) { return pqOutput, nil }})
}

// persistedPipeline compiles input → test_pq_gate with a persisted queue
// in dir.
func persistedPipeline(t *testing.T, dir, input string, configure func(*plugin.QueueSettings)) *Pipeline {
	t.Helper()
	cfg, diags := lang.Parse("p.conf", []byte("input { "+input+" } output { test_pq_gate {} }"), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	ps := plugin.DefaultPipelineSettings(2)
	ps.BatchSize = 4
	ps.BatchDelay = time.Millisecond
	ps.Queue.Type = "persisted"
	ps.Queue.Path = dir
	ps.Queue.Drain = true
	ps.Queue.Persisted.PageCapacity = 4096
	configure(&ps.Queue)
	logger := slog.New(logging.NewLogHandler(io.Discard, slog.LevelError))
	p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps, Logger: logger})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	return p
}

// TestPersistedQueueAcknowledgesInputsOnceDurable: with
// queue.checkpoint.writes 1 an input learns its events are safe as soon as
// they are on disk, while the outputs have not delivered anything yet.
func TestPersistedQueueAcknowledgesInputsOnceDurable(t *testing.T) {
	const n = 50
	*pqInput = ackInput{events: numbered(n), acked: make(chan int, n)}
	*pqOutput = gateOutput{open: make(chan struct{})}
	p := persistedPipeline(t, t.TempDir(), "test_pq_acked {}", func(q *plugin.QueueSettings) { q.Persisted.CheckpointWrites = 1 })
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	seen := map[int]bool{}
	for len(seen) < n {
		select {
		case i := <-pqInput.acked:
			seen[i] = true
		case <-time.After(20 * time.Second):
			t.Fatalf("%d of %d events acknowledged while the outputs were held", len(seen), n)
		}
	}
	close(pqOutput.open)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(pqOutput.events) != n {
		t.Fatalf("delivered %d of %d", len(pqOutput.events), n)
	}
}

// TestPersistedQueueKeepsBatchesAFailedOutputDidNotFinish: an output error
// stops the pipeline without acknowledging the batch, so the next run
// delivers it.
func TestPersistedQueueKeepsBatchesAFailedOutputDidNotFinish(t *testing.T) {
	dir := t.TempDir()
	const n = 20
	*pqInput = ackInput{events: numbered(n), acked: make(chan int, n)}
	*pqOutput = gateOutput{open: make(chan struct{}), fail: true}
	close(pqOutput.open)
	p := persistedPipeline(t, dir, "test_pq_acked {}", func(*plugin.QueueSettings) {})
	if err := p.Run(context.Background()); err == nil {
		t.Fatal("the failing output did not fail the pipeline")
	}

	*pqInput = ackInput{acked: make(chan int)}
	*pqOutput = gateOutput{open: make(chan struct{})}
	close(pqOutput.open)
	p = persistedPipeline(t, dir, "test_pq_acked {}", func(*plugin.QueueSettings) {})
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, e := range pqOutput.events {
		v, _ := e.Get("n")
		got[v.(int64)] = true
	}
	if len(got) != n {
		t.Fatalf("the second run delivered %d distinct events of %d", len(got), n)
	}
}

// TestPersistedQueueKeepsEveryValue: what an output receives from the
// persisted queue is the event the input made, metadata included, also
// when it is read back from disk by the next run (a failed output leaves
// it there).
func TestPersistedQueueKeepsEveryValue(t *testing.T) {
	e := event.NewEvent()
	huge, _ := new(big.Int).SetString("-98765432109876543210987654321", 10)
	dec, _ := event.ParseDecimal("1.50")
	ts := event.Timestamp{Time: time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.UTC)}
	for ref, v := range map[string]any{"[big]": huge, "[dec]": dec, "[when]": ts, "[bin]": "\xff\x00",
		"[list]": []any{int64(1), 2.5, nil, true}, "[@metadata][target]": "index-a"} {
		if err := e.Set(ref, v); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	*pqInput = ackInput{events: []*event.Event{e.Clone()}, acked: make(chan int, 1)}
	*pqOutput = gateOutput{open: make(chan struct{}), fail: true}
	close(pqOutput.open)
	p := persistedPipeline(t, dir, "test_pq_acked {}", func(*plugin.QueueSettings) {})
	if err := p.Run(context.Background()); err == nil {
		t.Fatal("the failing output did not fail the pipeline")
	}
	*pqInput = ackInput{acked: make(chan int)}
	*pqOutput = gateOutput{open: make(chan struct{})}
	close(pqOutput.open)
	p = persistedPipeline(t, dir, "test_pq_acked {}", func(*plugin.QueueSettings) {})
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(pqOutput.events) != 1 {
		t.Fatalf("delivered %d events", len(pqOutput.events))
	}
	got := pqOutput.events[0]
	for _, ref := range []string{"[big]", "[dec]", "[when]", "[bin]", "[list]", "[@metadata][target]"} {
		want, _ := e.Get(ref)
		have, _ := got.Get(ref)
		if event.ValueString(want) != event.ValueString(have) {
			t.Errorf("%s: %v read back as %v", ref, want, have)
		}
	}
	if v, _ := got.Get("[when]"); v.(event.Timestamp).Nanosecond() != 891011121 {
		t.Errorf("timestamp nanoseconds lost: %v", v)
	}
}
