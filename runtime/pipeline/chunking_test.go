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

// fanOutFilter emits n copies of each event, as a split on an n-element
// array does.
type fanOutFilter struct{ n int }

func (f fanOutFilter) Filter(e *event.Event, emit func(*event.Event)) bool {
	for i := 1; i < f.n; i++ {
		emit(e.Clone())
	}
	return true
}

// batchSizesOutput records the size of every batch it is given.
type batchSizesOutput struct {
	mu    sync.Mutex
	sizes []int
}

func (b *batchSizesOutput) Output(_ context.Context, events []*event.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sizes = append(b.sizes, len(events))
	return nil
}

var chunkSizes = &batchSizesOutput{}

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{Spec: plugin.Spec{Name: "test_fan_out"}, New: func(*plugin.Settings) (plugin.Filter, error) { return fanOutFilter{n: 25}, nil }})
	plugin.RegisterOutput(plugin.OutputSpec{Spec: plugin.Spec{Name: "test_batch_sizes"}, New: func(*plugin.Settings) (plugin.Output, error) { return chunkSizes, nil }})
}

// TestOutputChunking: a batch the filters grew past growth_threshold_factor
// times the batch size reaches the outputs in chunks of the batch size;
// one that grew less reaches them whole.
func TestOutputChunking(t *testing.T) {
	for _, c := range []struct {
		factor int
		want   []int
	}{
		{factor: 10, want: []int{4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}}, // 100 events > 10×4
		{factor: 25, want: []int{100}}, // 100 events = 25×4: not past the threshold
	} {
		cfg, diags := lang.Parse("p.conf", []byte(`input { test_slice {} } filter { test_fan_out {} } output { test_batch_sizes {} }`), lang.ParseOptions{})
		if diags.HasErrors() {
			t.Fatal(diags.Format(nil))
		}
		ps := plugin.DefaultPipelineSettings(1)
		ps.BatchSize = 4
		ps.BatchDelay = time.Hour // the input's four events make one batch
		ps.OutputChunkingFactor = c.factor
		acked := &sync.WaitGroup{}
		*testInput = sliceInput{events: []*event.Event{event.NewEvent(), event.NewEvent(), event.NewEvent(), event.NewEvent()}, acked: acked}
		*chunkSizes = batchSizesOutput{}
		p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: ps})
		if diags.HasErrors() {
			t.Fatal(diags.Format(nil))
		}
		if err := p.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(chunkSizes.sizes) != len(c.want) {
			t.Fatalf("factor %d: batches %v, want %v", c.factor, chunkSizes.sizes, c.want)
		}
		for i := range c.want {
			if chunkSizes.sizes[i] != c.want[i] {
				t.Fatalf("factor %d: batches %v, want %v", c.factor, chunkSizes.sizes, c.want)
			}
		}
	}
}
