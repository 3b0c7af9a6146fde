package truncate

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Expectations follow the plugin's Truncator (spec/filters-wave2.md §9).
func TestTruncate(t *testing.T) {
	cases := []struct {
		name, in, want string
		config         string
		matched        bool
	}{
		{"all top-level fields", `{"a":"abcdef","b":5,"c":["abcdef",1,["abcdef"]],"d":{"e":"abcdef"}}`, `{"a":"abc","b":5,"c":["abc",1,["abcdef"]],"d":{"e":"abc"}}`, `length_bytes => 3`, true},
		{"no character is split", `{"a":"aé€"}`, `{"a":"aé"}`, `length_bytes => 5`, true},
		{"a cut inside the first character leaves nothing", `{"a":"€"}`, `{"a":""}`, `length_bytes => 2`, true},
		{"short enough", `{"a":"ab"}`, `{"a":"ab"}`, `length_bytes => 2`, false},
		{"listed fields", `{"a":"abcd","b":"abcd"}`, `{"a":"ab","b":"abcd"}`, `length_bytes => 2 fields => ["a"]`, true},
		{"zero", `{"a":"abcd"}`, `{"a":""}`, `length_bytes => 0 fields => ["a"]`, true},
		{"negative gives null", `{"a":"abcd"}`, `{"a":null}`, `length_bytes => -1 fields => ["a"]`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "truncate { "+c.config+" }")
			e := plugintest.Event(t, c.in)
			e.Data().Delete("@timestamp")
			e.Data().Delete("@version")
			matched, _ := f.Call(e)
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if matched != c.matched {
				t.Errorf("matched = %v, want %v", matched, c.matched)
			}
		})
	}
}
