package json_encode

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestJSONEncode(t *testing.T) {
	cases := []struct {
		name, in, want string
		config         string
	}{
		{"in place", `{"a":{"b":[1,"x",null,true]}}`, `{"a":"{\"b\":[1,\"x\",null,true]}"}`, `source => "a"`},
		{"to a target", `{"a":"s"}`, `{"a":"s","t":"\"s\""}`, `source => "a" target => "t"`},
		{"missing is null", `{}`, `{"t":"null"}`, `source => "a" target => "t"`},
		{"nested reference", `{"a":{"b":1.0}}`, `{"a":{"b":1.0},"c":{"d":"1.0"}}`, `source => "[a][b]" target => "[c][d]"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "json_encode { "+c.config+" }")
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
