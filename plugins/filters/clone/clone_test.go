package clone

import (
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type O = filtertest.Options

func TestClone(t *testing.T) {
	cases := []struct {
		name string
		ecs  string
		opts O
		in   string
		want []string
	}{
		{"legacy sets type", "disabled", O{"clones": []any{"a", "b"}}, `{"message":"m","type":"orig"}`, []string{`{"message":"m","type":"a"}`, `{"message":"m","type":"b"}`}},
		{"ecs adds a tag", "v8", O{"clones": []any{"a"}}, `{"message":"m","tags":"t"}`, []string{`{"message":"m","tags":["t","a"]}`}},
		{"ecs creates tags", "v1", O{"clones": []any{"a", "a"}}, `{"message":"m"}`, []string{`{"message":"m","tags":["a"]}`, `{"message":"m","tags":["a"]}`}},
		{"no clones", "disabled", O{"clones": []any{}}, `{"message":"m"}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := filtertest.New("clone", c.opts, c.ecs)
			if err != "" {
				t.Fatal(err)
			}
			e := filtertest.Event(t, c.in)
			before := filtertest.Data(e)
			matched, out := filtertest.Run(f, e)
			if matched || e.Cancelled() || filtertest.Data(e) != before {
				t.Errorf("original changed: matched=%v cancelled=%v %s", matched, e.Cancelled(), filtertest.Data(e))
			}
			if len(out) != len(c.want) {
				t.Fatalf("emitted %d, want %d", len(out), len(c.want))
			}
			for i, o := range out {
				if got := filtertest.Data(o); got != c.want[i] {
					t.Errorf("clone %d: got %s, want %s", i, got, c.want[i])
				}
			}
		})
	}
	if _, err := filtertest.New("clone", O{}, ""); err == "" {
		t.Error("clone without clones built")
	}
}
