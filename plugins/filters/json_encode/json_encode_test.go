package json_encode

import (
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type O = filtertest.Options

func TestJSONEncode(t *testing.T) {
	cases := []struct {
		name, in, want string
		opts           O
	}{
		{"in place", `{"a":{"b":[1,"x",null,true]}}`, `{"a":"{\"b\":[1,\"x\",null,true]}"}`, O{"source": "a"}},
		{"to a target", `{"a":"s"}`, `{"a":"s","t":"\"s\""}`, O{"source": "a", "target": "t"}},
		{"missing is null", `{}`, `{"t":"null"}`, O{"source": "a", "target": "t"}},
		{"nested reference", `{"a":{"b":1.0}}`, `{"a":{"b":1.0},"c":{"d":"1.0"}}`, O{"source": "[a][b]", "target": "[c][d]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filtertest.MustNew(t, "json_encode", c.opts)
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
