package heartbeat

import (
	"context"
	"testing"
	"time"

	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// channelEmitter hands each event to a channel, as the pipeline's queue
// takes them.
type channelEmitter chan *event.Event

func (c channelEmitter) Emit(e *event.Event)          { c <- e }
func (c channelEmitter) Decorate(*event.Event)        {}
func (c channelEmitter) EmitDecorated(e *event.Event) { c <- e }

func build(t *testing.T, attrs string) *Input {
	t.Helper()
	cfg, diags := lang.Parse("t.conf", []byte("input { heartbeat { "+attrs+" } }"), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	inst, diags := plugin.Build(plugin.KindInput, cfg.Sections[0].Body[0].(*lang.Plugin), &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1)})
	if inst == nil {
		t.Fatal(diags.Format(nil))
	}
	return inst.Plugin.(*Input)
}

// TestStopsWhileWaiting checks that a shutdown ends the wait for the next
// beat rather than waiting out the interval.
func TestStopsWhileWaiting(t *testing.T) {
	in := build(t, `interval => 3600 sequence => sequence`)
	out := make(channelEmitter, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- in.Run(ctx, out) }()
	first := <-out
	if v, _ := first.Get("[event][sequence]"); v != int64(1) {
		t.Fatalf("first beat has sequence %v", v)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after cancellation")
	}
}

// TestSequenceCountsPerThread checks that each thread counts on its own,
// as each Logstash input thread is a clone of the plugin.
func TestSequenceCountsPerThread(t *testing.T) {
	in := build(t, `interval => 0 count => 3 threads => 2 sequence => sequence ecs_compatibility => disabled`)
	out := make(channelEmitter, 6)
	if err := in.Run(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	close(out)
	seen := map[int64]int{}
	for e := range out {
		v, _ := e.Get("clock")
		seen[v.(int64)]++
	}
	if seen[1] != 2 || seen[2] != 2 || seen[3] != 2 || len(seen) != 3 {
		t.Fatalf("sequence numbers %v, want 1..3 twice", seen)
	}
}
