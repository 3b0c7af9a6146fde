package prune

import (
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type H = filtertest.Hash
type O = filtertest.Options

// Expectations follow the plugin's filter (spec/filters-wave2.md §9 prune).
func TestPrune(t *testing.T) {
	cases := []struct {
		name, in, want string
		opts           O
	}{
		{"unresolved sprintf names go by default", `{"a":1,"%{x}":2}`, `{"a":1}`, O{}},
		{"whitelist names, unanchored", `{"msg":1,"message":2,"other":3}`, `{"msg":1,"message":2}`, O{"whitelist_names": []any{"^m", "zzz"}}},
		{"blacklist names", `{"ab":1,"b":2}`, `{"b":2}`, O{"blacklist_names": []any{"a"}}},
		{"whitelist values", `{"a":"keep","b":"drop","c":["k1","x","k2"]}`, `{"a":"keep","c":["k1","k2"]}`, O{"whitelist_values": H{"a", "^k", "b", "^k", "c", "^k"}}},
		{"blacklist values, a whole list", `{"a":["x","x"],"b":"y"}`, `{"b":"y"}`, O{"blacklist_values": H{"a", "x"}}},
		{"interpolated", `{"keep":"a","a":1,"b":2}`, `{"a":1}`, O{"interpolate": true, "whitelist_names": []any{"^%{keep}$"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filtertest.MustNew(t, "prune", c.opts)
			e := filtertest.Event(t, c.in)
			e.Data().Delete("@timestamp")
			e.Data().Delete("@version")
			if matched, _ := filtertest.Run(f, e); !matched {
				t.Error("prune always matches")
			}
			if got := filtertest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}
