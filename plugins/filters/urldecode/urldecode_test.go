package urldecode

import (
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type O = filtertest.Options

// Expectations follow the plugin's unescape and Logstash's charset
// converter (spec/filters-wave2.md §9 urldecode).
func TestURLDecode(t *testing.T) {
	cases := []struct {
		name, in, want string
		opts           O
	}{
		{"message", `{"message":"a%20b+c%2"}`, `{"message":"a b+c%2"}`, O{}},
		{"lists and objects", `{"f":["%41",{"k":"%42"},3]}`, `{"f":["A",{"k":"B"},3]}`, O{"field": "f"}},
		{"a missing field becomes null", `{}`, `{"message":null}`, O{}},
		{"invalid UTF-8 is escaped", `{"message":"%FF%22x"}`, `{"message":"\\xFF\\\"x"}`, O{}},
		{"another charset", `{"message":"caf%E9"}`, `{"message":"café"}`, O{"charset": "ISO-8859-1"}},
		{"all fields", `{"a":"%31","b":{"c":"%32"}}`, `{"a":"1","b":{"c":"2"}}`, O{"all_fields": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filtertest.MustNew(t, "urldecode", c.opts)
			e := filtertest.Event(t, c.in)
			if matched, _ := filtertest.Run(f, e); !matched {
				t.Error("urldecode always matches")
			}
			if got := filtertest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	if _, err := filtertest.New("urldecode", O{"charset": "NOPE-1"}, ""); err == "" {
		t.Error("an unknown charset must be a config error")
	}
}
