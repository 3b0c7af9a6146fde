package de_dot

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type O = filtertest.Options

// Expectations follow the plugin's rename_field (spec/filters-wave2.md §9).
func TestDeDot(t *testing.T) {
	cases := []struct {
		name, in, want string
		opts           O
	}{
		{"top-level fields", `{"a.b":1,"c":2,"d.e.f":3}`, `{"c":2,"a_b":1,"d_e_f":3}`, O{}},
		{"custom separator", `{"a.b":1}`, `{"a__b":1}`, O{"separator": "__"}},
		{"nested", `{"a.b":1,"a":{"x":0}}`, `{"a":{"x":0,"b":1}}`, O{"nested": true}},
		{"listed fields only", `{"a.b":1,"c.d":2}`, `{"c.d":2,"a_b":1}`, O{"fields": []any{"a.b"}}},
		{"a nested reference", `{"x":{"a.b":1}}`, `{"x":{"a_b":1}}`, O{"fields": []any{"[x][a.b]"}}},
		{"recursive", `{"x":{"a.b":{"c.d":1}}}`, `{"x":{"a_b":{"c_d":1}}}`, O{"recursive": true}},
		{"not recursive leaves inner keys", `{"x":{"a.b":1}}`, `{"x":{"a.b":1}}`, O{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filtertest.MustNew(t, "de_dot", c.opts)
			e := filtertest.Event(t, c.in)
			if matched, _ := filtertest.Run(f, e); !matched {
				t.Error("not matched")
			}
			if got := filtertest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestDeDotFailureAndConfig(t *testing.T) {
	f := filtertest.MustNew(t, "de_dot", O{"nested": true})
	e := filtertest.Event(t, `{"a":"scalar","a.b":1}`)
	if matched, _ := filtertest.Run(f, e); matched {
		t.Error("a failed rename must not match")
	}
	if got := filtertest.Data(e); !strings.Contains(got, `"tags":["_de_dot_error"]`) {
		t.Errorf("got %s", got)
	}
	if _, err := filtertest.New("de_dot", O{"separator": "a.b"}, ""); !strings.Contains(err, "de_dot: separator cannot be or contain '.'") {
		t.Errorf("error %q", err)
	}
}
