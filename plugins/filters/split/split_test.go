package split

import (
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		name      string
		config    string
		in        string
		emitted   []string
		original  string
		cancelled bool
	}{
		{"lines", ``, `{"message":"a\nb\n\nc\n"}`, []string{`{"message":"a"}`, `{"message":"b"}`, `{"message":"c"}`}, "", true},
		{"single line untouched", ``, `{"message":"abc"}`, nil, `{"message":"abc"}`, false},
		{"one line with terminator still splits", ``, `{"message":"abc\n"}`, []string{`{"message":"abc"}`}, "", true},
		{"empty string drops the event", ``, `{"message":""}`, nil, "", true},
		{"custom terminator and target", `field => "f" terminator => "," target => "t"`, `{"f":"x,y"}`, []string{`{"f":"x,y","t":"x"}`, `{"f":"x,y","t":"y"}`}, "", true},
		{"array field", `field => "f"`, `{"f":[1,null,"",{"k":"v"}],"g":1}`, []string{`{"g":1,"f":1}`, `{"g":1,"f":{"k":"v"}}`}, "", true},
		{"array with target keeps field", `field => "f" target => "t"`, `{"f":["x"]}`, []string{`{"f":["x"],"t":"x"}`}, "", true},
		{"wrong type tagged", `field => "f"`, `{"f":5}`, nil, `{"f":5,"tags":["_split_type_failure"]}`, false},
		{"missing field tagged", `field => "f"`, `{}`, nil, `{"tags":["_split_type_failure"]}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "split { "+c.config+" }")
			e := plugintest.Event(t, c.in)
			matched, out := f.Call(e)
			if matched {
				t.Error("split reported a match for the original event")
			}
			if len(out) != len(c.emitted) {
				t.Fatalf("emitted %d events, want %d", len(out), len(c.emitted))
			}
			for i, o := range out {
				if got := plugintest.Data(o); got != c.emitted[i] {
					t.Errorf("event %d: got %s, want %s", i, got, c.emitted[i])
				}
			}
			if e.Cancelled() != c.cancelled {
				t.Errorf("cancelled = %v, want %v", e.Cancelled(), c.cancelled)
			}
			if !c.cancelled {
				if got := plugintest.Data(e); got != c.original {
					t.Errorf("original: got %s, want %s", got, c.original)
				}
			}
		})
	}
}

func TestRubyClassOfDecimal(t *testing.T) {
	d, err := event.ParseDecimal("5.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := rubyClass(d); got != "BigDecimal" {
		t.Errorf("rubyClass(5.1 decimal) = %q", got)
	}
}
