package truncate

import (
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type O = filtertest.Options

// Expectations follow the plugin's Truncator (spec/filters-wave2.md §9).
func TestTruncate(t *testing.T) {
	cases := []struct {
		name, in, want string
		opts           O
		matched        bool
	}{
		{"all top-level fields", `{"a":"abcdef","b":5,"c":["abcdef",1,["abcdef"]],"d":{"e":"abcdef"}}`, `{"a":"abc","b":5,"c":["abc",1,["abcdef"]],"d":{"e":"abc"}}`, O{"length_bytes": 3}, true},
		{"no character is split", `{"a":"aé€"}`, `{"a":"aé"}`, O{"length_bytes": 5}, true},
		{"a cut inside the first character leaves nothing", `{"a":"€"}`, `{"a":""}`, O{"length_bytes": 2}, true},
		{"short enough", `{"a":"ab"}`, `{"a":"ab"}`, O{"length_bytes": 2}, false},
		{"listed fields", `{"a":"abcd","b":"abcd"}`, `{"a":"ab","b":"abcd"}`, O{"length_bytes": 2, "fields": []any{"a"}}, true},
		{"zero", `{"a":"abcd"}`, `{"a":""}`, O{"length_bytes": 0, "fields": []any{"a"}}, true},
		{"negative gives null", `{"a":"abcd"}`, `{"a":null}`, O{"length_bytes": -1, "fields": []any{"a"}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filtertest.MustNew(t, "truncate", c.opts)
			e := filtertest.Event(t, c.in)
			e.Data().Delete("@timestamp")
			e.Data().Delete("@version")
			matched, _ := filtertest.Run(f, e)
			if got := filtertest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if matched != c.matched {
				t.Errorf("matched = %v, want %v", matched, c.matched)
			}
		})
	}
}
