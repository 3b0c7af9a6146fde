package json

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestJSON(t *testing.T) {
	cases := []struct {
		name    string
		config  string
		in      string
		want    string
		matched bool
	}{
		{"root merge overwrites", `source => "m"`, `{"m":"{\"a\":1,\"b\":{\"c\":[true,null,1.5]},\"m\":\"x\"}","a":0}`, `{"m":"x","a":1,"b":{"c":[true,null,1.5]}}`, true},
		{"decimals keep their digits", `source => "m" target => "p"`, `{"m":"{\"a\":5.10,\"b\":1e10,\"c\":-0.0,\"d\":2}"}`, `{"m":"{\"a\":5.10,\"b\":1e10,\"c\":-0.0,\"d\":2}","p":{"a":5.10,"b":1E+10,"c":0.0,"d":2}}`, true},
		{"decimal @timestamp kept as to_s", `source => "m"`, `{"m":"{\"@timestamp\":1.5}"}`, `{"m":"{\"@timestamp\":1.5}","tags":["_timestampparsefailure"],"_@timestamp":"0.15e1"}`, true},
		{"keys are field references", `source => "m"`, `{"m":"{\"[x][y]\":1}"}`, `{"m":"{\"[x][y]\":1}","x":{"y":1}}`, true},
		{"target keeps source", `source => "m" target => "[p][q]"`, `{"m":"[1,2]"}`, `{"m":"[1,2]","p":{"q":[1,2]}}`, true},
		{"target scalar", `source => "m" target => "p"`, `{"m":"\"s\""}`, `{"m":"\"s\"","p":"s"}`, true},
		{"target same field replaces", `source => "m" target => "m"`, `{"m":"{\"k\":1}"}`, `{"m":{"k":1}}`, true},
		{"missing source no-op", `source => "zz"`, `{"m":"x"}`, `{"m":"x"}`, false},
		{"null source no-op", `source => "m"`, `{"m":null}`, `{"m":null}`, false},
		{"false source no-op", `source => "m"`, `{"m":false}`, `{"m":false}`, false},
		{"invalid json tagged", `source => "m"`, `{"m":"{oops"}`, `{"m":"{oops","tags":["_jsonparsefailure"]}`, false},
		{"invalid json dedup tag", `source => "m" tag_on_failure => ["a", "b"]`, `{"m":"{","tags":["a"]}`, `{"m":"{","tags":["a","b"]}`, false},
		{"skip invalid", `source => "m" skip_on_invalid_json => true`, `{"m":"nope"}`, `{"m":"nope"}`, false},
		{"hash source fails", `source => "m"`, `{"m":{"a":1}}`, `{"m":{"a":1},"tags":["_jsonparsefailure"]}`, false},
		{"non-object without target fails", `source => "m"`, `{"m":"[1]"}`, `{"m":"[1]","tags":["_jsonparsefailure"]}`, false},
		{"tags overwritten", `source => "m"`, `{"m":"{\"tags\":[\"t\"]}","tags":["old"]}`, `{"m":"{\"tags\":[\"t\"]}","tags":["t"]}`, true},
		{"invalid tags value is an exception", `source => "m"`, `{"m":"{\"tags\":{\"a\":1}}"}`, `{"m":"{\"tags\":{\"a\":1}}","tags":["_jsonparsefailure"]}`, false},
		{"bad timestamp", `source => "m"`, `{"m":"{\"@timestamp\":\"yesterday\",\"a\":1}"}`, `{"m":"{\"@timestamp\":\"yesterday\",\"a\":1}","a":1,"tags":["_timestampparsefailure"],"_@timestamp":"yesterday"}`, true},
		{"numeric timestamp is unrecognized", `source => "m"`, `{"m":"{\"@timestamp\":5}"}`, `{"m":"{\"@timestamp\":5}","tags":["_timestampparsefailure"],"_@timestamp":"5"}`, true},
		{"null timestamp ignored", `source => "m"`, `{"m":"{\"@timestamp\":null}"}`, `{"m":"{\"@timestamp\":null}"}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "json { "+c.config+" }")
			e := plugintest.Event(t, c.in)
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

func TestJSONTimestamp(t *testing.T) {
	f := plugintest.Filter(t, `json { source => "m" }`)
	e := plugintest.Event(t, `{"m":"{\"@timestamp\":\"2020-05-06T07:08:09.123Z\",\"@metadata\":{\"k\":\"v\"}}"}`)
	f.Call(e)
	ts, _ := e.Timestamp()
	if got := ts.String(); got != "2020-05-06T07:08:09.123Z" {
		t.Errorf("@timestamp = %s", got)
	}
	if v, _ := e.Get("[@metadata][k]"); v != "v" {
		t.Errorf("@metadata not set: %v", v)
	}
	if plugintest.Data(e) != `{"m":"{\"@timestamp\":\"2020-05-06T07:08:09.123Z\",\"@metadata\":{\"k\":\"v\"}}"}` {
		t.Errorf("data = %s", plugintest.Data(e))
	}
}

func TestJSONRequiresSource(t *testing.T) {
	if _, err := plugintest.TryFilter(t, `json { }`); err == nil {
		t.Error("json without source built")
	}
}
