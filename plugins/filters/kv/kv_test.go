package kv

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestKV(t *testing.T) {
	cases := []struct {
		name    string
		config  string
		in      string
		want    string
		matched bool
	}{
		{"lenient whitespace takes the next word as value", ``, `{"message":"a= b=2"}`, `{"message":"a= b=2","a":"b=2"}`, true},
		{"defaults", ``, `{"message":"a=1 b=\"two words\" c=(x y) d=[z] e=<w> f='q'"}`, `{"message":"a=1 b=\"two words\" c=(x y) d=[z] e=<w> f='q'","a":"1","b":"two words","c":"x y","d":"z","e":"w","f":"q"}`, true},
		{"lenient whitespace", ``, `{"message":"a = 1 b= 2"}`, `{"message":"a = 1 b= 2","a":"1","b":"2"}`, true},
		{"strict whitespace", `whitespace => "strict"`, `{"message":"a = 1 b=2"}`, `{"message":"a = 1 b=2","b":"2"}`, true},
		{"custom splits", `field_split => "&?" value_split => ":" source => "q"`, `{"q":"?x:1&y:2&&z:"}`, `{"q":"?x:1&y:2&&z:","x":"1","y":"2"}`, true},
		{"split patterns", `field_split_pattern => ", *" value_split_pattern => "=>"`, `{"message":"a=>1, b=>2,c=>3"}`, `{"message":"a=>1, b=>2,c=>3","a":"1","b":"2","c":"3"}`, true},
		{"duplicates collect", ``, `{"message":"a=1 a=2 a=1"}`, `{"message":"a=1 a=2 a=1","a":["1","2","1"]}`, true},
		{"no duplicate values", `allow_duplicate_values => false`, `{"message":"a=1 a=2 a=1"}`, `{"message":"a=1 a=2 a=1","a":["1","2"]}`, true},
		{"empty values", `allow_empty_values => true whitespace => "strict"`, `{"message":"a= b=2"}`, `{"message":"a= b=2","a":"","b":"2"}`, true},
		{"include exclude prefix", `include_keys => ["a", "b"] exclude_keys => ["b"] prefix => "p_"`, `{"message":"a=1 b=2 c=3"}`, `{"message":"a=1 b=2 c=3","p_a":"1"}`, true},
		{"trim and remove and transform", `trim_key => "<>" trim_value => "\." remove_char_key => "-" transform_key => "uppercase" transform_value => "capitalize"`, `{"message":"<a-b>=hELLO.. c=x"}`, `{"message":"<a-b>=hELLO.. c=x","AB":"Hello","C":"X"}`, true},
		{"target and default keys", `target => "kv" default_keys => { "d" => "def" "a" => "z" }`, `{"message":"a=1"}`, `{"message":"a=1","kv":{"d":"def","a":"1"}}`, true},
		{"recursive", `recursive => true`, `{"message":"a=[b=1 c=2] d=3"}`, `{"message":"a=[b=1 c=2] d=3","a":{"b":"1","c":"2"},"d":"3"}`, true},
		{"no brackets", `include_brackets => false`, `{"message":"a=(x y)"}`, `{"message":"a=(x y)","a":"(x"}`, true},
		{"array source", ``, `{"message":["a=1","b=2"]}`, `{"message":["a=1","b=2"],"a":"1","b":"2"}`, true},
		{"nothing found", ``, `{"message":"plain text"}`, `{"message":"plain text"}`, false},
		{"missing source", `source => "zz"`, `{"message":"a=1"}`, `{"message":"a=1"}`, false},
		{"escaped quote", ``, `{"message":"a=\"x\\\"y\" b=2"}`, `{"message":"a=\"x\\\"y\" b=2","a":"x\\\"y","b":"2"}`, true},
		{"bad key is a failure", ``, `{"message":"[a=1"}`, `{"message":"[a=1","tags":["_kv_filter_error"]}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "kv { "+c.config+" }")
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

func TestKVConfigErrors(t *testing.T) {
	for _, c := range []struct {
		config string
		want   string
	}{
		{`value_split => ""`, "Configuration option 'value_split' must be a non-empty string"},
		{`field_split_pattern => ""`, "Configuration option 'field_split_pattern' must be a non-empty string"},
		{`transform_key => "reverse"`, "Expected one of"},
	} {
		_, err := plugintest.TryFilter(t, "kv { "+c.config+" }")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v does not contain %q", c.config, err, c.want)
		}
	}
}
