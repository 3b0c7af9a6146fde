package json

import (
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type O = filtertest.Options

func TestJSON(t *testing.T) {
	cases := []struct {
		name    string
		opts    O
		in      string
		want    string
		matched bool
	}{
		{"root merge overwrites", O{"source": "m"}, `{"m":"{\"a\":1,\"b\":{\"c\":[true,null,1.5]},\"m\":\"x\"}","a":0}`, `{"m":"x","a":1,"b":{"c":[true,null,1.5]}}`, true},
		{"decimals keep their digits", O{"source": "m", "target": "p"}, `{"m":"{\"a\":5.10,\"b\":1e10,\"c\":-0.0,\"d\":2}"}`, `{"m":"{\"a\":5.10,\"b\":1e10,\"c\":-0.0,\"d\":2}","p":{"a":5.10,"b":1E+10,"c":0.0,"d":2}}`, true},
		{"decimal @timestamp kept as to_s", O{"source": "m"}, `{"m":"{\"@timestamp\":1.5}"}`, `{"m":"{\"@timestamp\":1.5}","tags":["_timestampparsefailure"],"_@timestamp":"0.15e1"}`, true},
		{"keys are field references", O{"source": "m"}, `{"m":"{\"[x][y]\":1}"}`, `{"m":"{\"[x][y]\":1}","x":{"y":1}}`, true},
		{"target keeps source", O{"source": "m", "target": "[p][q]"}, `{"m":"[1,2]"}`, `{"m":"[1,2]","p":{"q":[1,2]}}`, true},
		{"target scalar", O{"source": "m", "target": "p"}, `{"m":"\"s\""}`, `{"m":"\"s\"","p":"s"}`, true},
		{"target same field replaces", O{"source": "m", "target": "m"}, `{"m":"{\"k\":1}"}`, `{"m":{"k":1}}`, true},
		{"missing source no-op", O{"source": "zz"}, `{"m":"x"}`, `{"m":"x"}`, false},
		{"null source no-op", O{"source": "m"}, `{"m":null}`, `{"m":null}`, false},
		{"false source no-op", O{"source": "m"}, `{"m":false}`, `{"m":false}`, false},
		{"invalid json tagged", O{"source": "m"}, `{"m":"{oops"}`, `{"m":"{oops","tags":["_jsonparsefailure"]}`, false},
		{"invalid json dedup tag", O{"source": "m", "tag_on_failure": []any{"a", "b"}}, `{"m":"{","tags":["a"]}`, `{"m":"{","tags":["a","b"]}`, false},
		{"skip invalid", O{"source": "m", "skip_on_invalid_json": true}, `{"m":"nope"}`, `{"m":"nope"}`, false},
		{"hash source fails", O{"source": "m"}, `{"m":{"a":1}}`, `{"m":{"a":1},"tags":["_jsonparsefailure"]}`, false},
		{"non-object without target fails", O{"source": "m"}, `{"m":"[1]"}`, `{"m":"[1]","tags":["_jsonparsefailure"]}`, false},
		{"tags overwritten", O{"source": "m"}, `{"m":"{\"tags\":[\"t\"]}","tags":["old"]}`, `{"m":"{\"tags\":[\"t\"]}","tags":["t"]}`, true},
		{"invalid tags value is an exception", O{"source": "m"}, `{"m":"{\"tags\":{\"a\":1}}"}`, `{"m":"{\"tags\":{\"a\":1}}","tags":["_jsonparsefailure"]}`, false},
		{"bad timestamp", O{"source": "m"}, `{"m":"{\"@timestamp\":\"yesterday\",\"a\":1}"}`, `{"m":"{\"@timestamp\":\"yesterday\",\"a\":1}","a":1,"tags":["_timestampparsefailure"],"_@timestamp":"yesterday"}`, true},
		{"numeric timestamp is unrecognized", O{"source": "m"}, `{"m":"{\"@timestamp\":5}"}`, `{"m":"{\"@timestamp\":5}","tags":["_timestampparsefailure"],"_@timestamp":"5"}`, true},
		{"null timestamp ignored", O{"source": "m"}, `{"m":"{\"@timestamp\":null}"}`, `{"m":"{\"@timestamp\":null}"}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filtertest.MustNew(t, "json", c.opts)
			e := filtertest.Event(t, c.in)
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

func TestJSONTimestamp(t *testing.T) {
	f := filtertest.MustNew(t, "json", O{"source": "m"})
	e := filtertest.Event(t, `{"m":"{\"@timestamp\":\"2020-05-06T07:08:09.123Z\",\"@metadata\":{\"k\":\"v\"}}"}`)
	filtertest.Run(f, e)
	ts, _ := e.Timestamp()
	if got := ts.String(); got != "2020-05-06T07:08:09.123Z" {
		t.Errorf("@timestamp = %s", got)
	}
	if v, _ := e.Get("[@metadata][k]"); v != "v" {
		t.Errorf("@metadata not set: %v", v)
	}
	if filtertest.Data(e) != `{"m":"{\"@timestamp\":\"2020-05-06T07:08:09.123Z\",\"@metadata\":{\"k\":\"v\"}}"}` {
		t.Errorf("data = %s", filtertest.Data(e))
	}
}

func TestJSONRequiresSource(t *testing.T) {
	if _, err := filtertest.New("json", O{}, ""); err == "" {
		t.Error("json without source built")
	}
}
