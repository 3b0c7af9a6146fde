package event

import "testing"

func TestDecodeJSONFirst(t *testing.T) {
	for _, c := range []struct {
		in, want string
		fails    bool
	}{
		{`{"a":1} {"b":2}`, `{"a":1}`, false},
		{`{"a":1}garbage`, `{"a":1}`, false},
		{` [1,2] x`, `[1,2]`, false},
		{"  \n", `null`, false},
		{`12 x`, `12`, false},
		{`12x`, ``, true},
		{`{"a":`, ``, true},
	} {
		v, err := DecodeJSONFirst([]byte(c.in))
		if (err != nil) != c.fails {
			t.Errorf("%q: error %v, want failure %v", c.in, err, c.fails)
			continue
		}
		if !c.fails {
			if got := string(AppendJSON(nil, v)); got != c.want {
				t.Errorf("%q: got %s, want %s", c.in, got, c.want)
			}
		}
	}
}
