package prune

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Expectations follow the plugin's filter (spec/filters-wave2.md §9 prune).
func TestPrune(t *testing.T) {
	cases := []struct {
		name, in, want string
		config         string
	}{
		{"unresolved sprintf names go by default", `{"a":1,"%{x}":2}`, `{"a":1}`, ``},
		{"whitelist names, unanchored", `{"msg":1,"message":2,"other":3}`, `{"msg":1,"message":2}`, `whitelist_names => ["^m", "zzz"]`},
		{"blacklist names", `{"ab":1,"b":2}`, `{"b":2}`, `blacklist_names => ["a"]`},
		{"whitelist values", `{"a":"keep","b":"drop","c":["k1","x","k2"]}`, `{"a":"keep","c":["k1","k2"]}`, `whitelist_values => { "a" => "^k" "b" => "^k" "c" => "^k" }`},
		{"blacklist values, a whole list", `{"a":["x","x"],"b":"y"}`, `{"b":"y"}`, `blacklist_values => { "a" => "x" }`},
		{"interpolated", `{"keep":"a","a":1,"b":2}`, `{"a":1}`, `interpolate => true whitelist_names => ["^%{keep}$"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "prune { "+c.config+" }")
			e := plugintest.Event(t, c.in)
			e.Data().Delete("@timestamp")
			e.Data().Delete("@version")
			if matched, _ := f.Call(e); !matched {
				t.Error("prune always matches")
			}
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}
