package urldecode

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Expectations follow the plugin's unescape and Logstash's charset
// converter (spec/filters-wave2.md §9 urldecode).
func TestURLDecode(t *testing.T) {
	cases := []struct {
		name, in, want string
		config         string
	}{
		{"message", `{"message":"a%20b+c%2"}`, `{"message":"a b+c%2"}`, ``},
		{"lists and objects", `{"f":["%41",{"k":"%42"},3]}`, `{"f":["A",{"k":"B"},3]}`, `field => "f"`},
		{"a missing field becomes null", `{}`, `{"message":null}`, ``},
		{"invalid UTF-8 is escaped", `{"message":"%FF%22x"}`, `{"message":"\\xFF\\\"x"}`, ``},
		{"another charset", `{"message":"caf%E9"}`, `{"message":"café"}`, `charset => "ISO-8859-1"`},
		{"all fields", `{"a":"%31","b":{"c":"%32"}}`, `{"a":"1","b":{"c":"2"}}`, `all_fields => true`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "urldecode { "+c.config+" }")
			e := plugintest.Event(t, c.in)
			if matched, _ := f.Call(e); !matched {
				t.Error("urldecode always matches")
			}
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	if _, err := plugintest.TryFilter(t, `urldecode { charset => "NOPE-1" }`); err == nil {
		t.Error("an unknown charset must be a config error")
	}
}
