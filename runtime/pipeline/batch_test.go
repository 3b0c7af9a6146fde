package pipeline

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// testBatch is a batch filter: it records the size of every call, makes a
// copy of every event whose n is a multiple of 3, cancels n == 4 and
// matches even n.
type testBatch struct {
	mu    sync.Mutex
	calls []int
}

var batchFilter = &testBatch{}

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{Spec: plugin.Spec{Name: "test_batch"}, New: func(*plugin.Settings) (plugin.Filter, error) { return batchFilter, nil }})
	plugin.RegisterFilter(plugin.FilterSpec{Spec: plugin.Spec{Name: "test_tag_after"}, New: func(*plugin.Settings) (plugin.Filter, error) { return tagAfter{}, nil }})
}

// tagAfter tags every event "after".
type tagAfter struct{}

func (tagAfter) Filter(e *event.Event, _ func(*event.Event)) bool {
	e.Tag("after")
	return true
}

func (b *testBatch) Filter(*event.Event, func(*event.Event)) bool {
	panic("a batch filter is given whole batches")
}

func (b *testBatch) FilterBatch(events []*event.Event, matched []bool, emit func(int, *event.Event)) {
	b.mu.Lock()
	b.calls = append(b.calls, len(events))
	b.mu.Unlock()
	for i, e := range events {
		v, _ := e.Get("n")
		n := v.(int64)
		if n%3 == 0 {
			c := e.Clone()
			c.Set("copy", true)
			emit(i, c)
		}
		if n == 4 {
			e.Cancel()
		}
		matched[i] = n%2 == 0
	}
}

func describeEvents(events []*event.Event) string {
	var parts []string
	for _, e := range events {
		n, _ := e.Get("n")
		s := fmt.Sprint(n)
		if e.Includes("copy") {
			s += "c"
		}
		if e.HasTag("m") {
			s += "m"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestBatchFilterGetsWholeBatchesInOrder(t *testing.T) {
	*batchFilter = testBatch{}
	out := runConfig(t, `input { test_slice {} } filter { test_batch { add_tag => ["m"] } } output { test_collect {} }`, 1, numbered(8))
	// Each event is followed by the copy made from it; 4 is dropped; the
	// common options apply to matched originals, never to copies.
	if got, want := describeEvents(out), "0m 0c 1 2m 3 3c 5 6m 6c 7"; got != want {
		t.Errorf("out = %s, want %s", got, want)
	}
	total := 0
	for _, n := range batchFilter.calls {
		if n > 3 {
			t.Errorf("a call of %d events, more than the batch size", n)
		}
		total += n
	}
	if total != 8 {
		t.Errorf("the filter saw %d events in %v, want 8", total, batchFilter.calls)
	}
}

func TestBatchFilterInsideABranch(t *testing.T) {
	*batchFilter = testBatch{}
	out := runConfig(t, `input { test_slice {} } filter { if [n] >= 3 { test_batch {} } test_tag_after {} } output { test_collect {} }`, 1, numbered(6))
	if len(out) != 6 { // 0 1 2 pass by; 3 3c 5 come out of the filter; 4 is dropped
		t.Fatalf("got %d events: %s", len(out), describeEvents(out))
	}
	for _, e := range out {
		if !e.HasTag("after") {
			t.Errorf("event %s skipped the filter after the batch filter", describeEvents([]*event.Event{e}))
		}
	}
	got := strings.Fields(describeEvents(out))
	slices.Sort(got)
	if want := []string{"0", "1", "2", "3", "3c", "5"}; !slices.Equal(got, want) {
		t.Errorf("out = %v, want %v", got, want)
	}
}

func TestProcessFiltersRunsBatchFilters(t *testing.T) {
	*batchFilter = testBatch{}
	cfg, diags := lang.Parse("p.conf", []byte(`filter { test_batch {} }`), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	p, diags := Compile([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1)})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	out := p.ProcessFilters(numbered(4))
	if got, want := describeEvents(out), "0 0c 1 2 3 3c"; got != want {
		t.Errorf("out = %s, want %s", got, want)
	}
	if !slices.Equal(batchFilter.calls, []int{4}) {
		t.Errorf("calls = %v, want one call of 4", batchFilter.calls)
	}
}
