package lang

import "testing"

func TestSuggest(t *testing.T) {
	names := []string{"mutate", "date", "grok", "kv", "json", "json_lines", "add_field", "remove_field"}
	for _, c := range []struct{ in, want string }{
		{"mutat", "mutate"},
		{"mtuate", "mutate"}, // transposition
		{"dat", "date"},
		{"jsonlines", "json_lines"},
		{"add_fields", "add_field"},
		{"remove_fiedl", "remove_field"},
		{"geoip", ""}, // nothing close: no hint at all
		{"xyz", ""},
		{"mutate", ""}, // the name itself is never suggested
	} {
		if got := Suggest(c.in, names); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
