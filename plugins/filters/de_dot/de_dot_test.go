package de_dot

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Expectations follow the plugin's rename_field (spec/filters-wave2.md §9).
func TestDeDot(t *testing.T) {
	cases := []struct {
		name, in, want string
		config         string
	}{
		{"top-level fields", `{"a.b":1,"c":2,"d.e.f":3}`, `{"c":2,"a_b":1,"d_e_f":3}`, ``},
		{"custom separator", `{"a.b":1}`, `{"a__b":1}`, `separator => "__"`},
		{"nested", `{"a.b":1,"a":{"x":0}}`, `{"a":{"x":0,"b":1}}`, `nested => true`},
		{"listed fields only", `{"a.b":1,"c.d":2}`, `{"c.d":2,"a_b":1}`, `fields => ["a.b"]`},
		{"a nested reference", `{"x":{"a.b":1}}`, `{"x":{"a_b":1}}`, `fields => ["[x][a.b]"]`},
		{"recursive", `{"x":{"a.b":{"c.d":1}}}`, `{"x":{"a_b":{"c_d":1}}}`, `recursive => true`},
		{"not recursive leaves inner keys", `{"x":{"a.b":1}}`, `{"x":{"a.b":1}}`, ``},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "de_dot { "+c.config+" }")
			e := plugintest.Event(t, c.in)
			if matched, _ := f.Call(e); !matched {
				t.Error("not matched")
			}
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestDeDotFailureAndConfig(t *testing.T) {
	f := plugintest.Filter(t, `de_dot { nested => true }`)
	e := plugintest.Event(t, `{"a":"scalar","a.b":1}`)
	if matched, _ := f.Call(e); matched {
		t.Error("a failed rename must not match")
	}
	if got := plugintest.Data(e); !strings.Contains(got, `"tags":["_de_dot_error"]`) {
		t.Errorf("got %s", got)
	}
	if _, err := plugintest.TryFilter(t, `de_dot { separator => "a.b" }`); err == nil || !strings.Contains(err.Error(), "de_dot: separator cannot be or contain '.'") {
		t.Errorf("error %q", err)
	}
}
