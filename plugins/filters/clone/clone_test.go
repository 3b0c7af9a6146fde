package clone

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestClone(t *testing.T) {
	cases := []struct {
		name   string
		ecs    string
		config string
		in     string
		want   []string
	}{
		{"legacy sets type", "disabled", `clones => ["a", "b"]`, `{"message":"m","type":"orig"}`, []string{`{"message":"m","type":"a"}`, `{"message":"m","type":"b"}`}},
		{"ecs adds a tag", "v8", `clones => ["a"]`, `{"message":"m","tags":"t"}`, []string{`{"message":"m","tags":["t","a"]}`}},
		{"ecs creates tags", "v1", `clones => ["a", "a"]`, `{"message":"m"}`, []string{`{"message":"m","tags":["a"]}`, `{"message":"m","tags":["a"]}`}},
		{"no clones", "disabled", `clones => []`, `{"message":"m"}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "clone { "+c.config+" }", plugintest.ECS(c.ecs))
			e := plugintest.Event(t, c.in)
			before := plugintest.Data(e)
			matched, out := f.Call(e)
			if matched || e.Cancelled() || plugintest.Data(e) != before {
				t.Errorf("original changed: matched=%v cancelled=%v %s", matched, e.Cancelled(), plugintest.Data(e))
			}
			if len(out) != len(c.want) {
				t.Fatalf("emitted %d, want %d", len(out), len(c.want))
			}
			for i, o := range out {
				if got := plugintest.Data(o); got != c.want[i] {
					t.Errorf("clone %d: got %s, want %s", i, got, c.want[i])
				}
			}
		})
	}
	if _, err := plugintest.TryFilter(t, `clone { }`); err == nil {
		t.Error("clone without clones built")
	}
}
