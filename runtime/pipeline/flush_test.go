package pipeline

import (
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// testHolder holds every event back and releases them when flushed; those
// whose n is even it reports matched.
type testHolder struct{ held []*event.Event }

func (h *testHolder) Filter(e *event.Event, _ func(*event.Event)) bool {
	h.held = append(h.held, e.Clone())
	e.Cancel()
	return false
}

func (h *testHolder) FlushMatched(_ bool, emit func(*event.Event, bool)) {
	for _, e := range h.held {
		n, _ := e.Get("n")
		emit(e, n.(int64)%2 == 0)
	}
	h.held = nil
}

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{Spec: plugin.Spec{Name: "test_holder"}, New: func(*plugin.Settings) (plugin.Filter, error) { return &testHolder{}, nil }})
}

// Events a MatchedFlusher reports matched get its common options; all go
// on through the filters after it.
func TestMatchedFlusherDecoratesMatchedEvents(t *testing.T) {
	p := compileFilters(t, `test_holder { add_tag => ["held"] } test_tag_after {}`)
	out := p.ProcessFilters([]*event.Event{eventWith("n", int64(1)), eventWith("n", int64(2))})
	if len(out) != 2 {
		t.Fatalf("%d events, want 2", len(out))
	}
	for _, e := range out {
		n, _ := e.Get("n")
		tags, _ := e.Get("tags")
		want := "after"
		if n.(int64)%2 == 0 {
			want = "held,after"
		}
		if got := event.ValueString(tags); got != want {
			t.Errorf("n=%v: tags %v, want %s", n, tags, want)
		}
	}
}
