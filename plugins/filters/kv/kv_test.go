package kv

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type H = filtertest.Hash
type O = filtertest.Options

func TestKV(t *testing.T) {
	cases := []struct {
		name    string
		opts    O
		in      string
		want    string
		matched bool
	}{
		{"lenient whitespace takes the next word as value", O{}, `{"message":"a= b=2"}`, `{"message":"a= b=2","a":"b=2"}`, true},
		{"defaults", O{}, `{"message":"a=1 b=\"two words\" c=(x y) d=[z] e=<w> f='q'"}`, `{"message":"a=1 b=\"two words\" c=(x y) d=[z] e=<w> f='q'","a":"1","b":"two words","c":"x y","d":"z","e":"w","f":"q"}`, true},
		{"lenient whitespace", O{}, `{"message":"a = 1 b= 2"}`, `{"message":"a = 1 b= 2","a":"1","b":"2"}`, true},
		{"strict whitespace", O{"whitespace": "strict"}, `{"message":"a = 1 b=2"}`, `{"message":"a = 1 b=2","b":"2"}`, true},
		{"custom splits", O{"field_split": "&?", "value_split": ":", "source": "q"}, `{"q":"?x:1&y:2&&z:"}`, `{"q":"?x:1&y:2&&z:","x":"1","y":"2"}`, true},
		{"split patterns", O{"field_split_pattern": ", *", "value_split_pattern": "=>"}, `{"message":"a=>1, b=>2,c=>3"}`, `{"message":"a=>1, b=>2,c=>3","a":"1","b":"2","c":"3"}`, true},
		{"duplicates collect", O{}, `{"message":"a=1 a=2 a=1"}`, `{"message":"a=1 a=2 a=1","a":["1","2","1"]}`, true},
		{"no duplicate values", O{"allow_duplicate_values": false}, `{"message":"a=1 a=2 a=1"}`, `{"message":"a=1 a=2 a=1","a":["1","2"]}`, true},
		{"empty values", O{"allow_empty_values": true, "whitespace": "strict"}, `{"message":"a= b=2"}`, `{"message":"a= b=2","a":"","b":"2"}`, true},
		{"include exclude prefix", O{"include_keys": []any{"a", "b"}, "exclude_keys": []any{"b"}, "prefix": "p_"}, `{"message":"a=1 b=2 c=3"}`, `{"message":"a=1 b=2 c=3","p_a":"1"}`, true},
		{"trim and remove and transform", O{"trim_key": "<>", "trim_value": "\\.", "remove_char_key": "-", "transform_key": "uppercase", "transform_value": "capitalize"}, `{"message":"<a-b>=hELLO.. c=x"}`, `{"message":"<a-b>=hELLO.. c=x","AB":"Hello","C":"X"}`, true},
		{"target and default keys", O{"target": "kv", "default_keys": H{"d", "def", "a", "z"}}, `{"message":"a=1"}`, `{"message":"a=1","kv":{"d":"def","a":"1"}}`, true},
		{"recursive", O{"recursive": true}, `{"message":"a=[b=1 c=2] d=3"}`, `{"message":"a=[b=1 c=2] d=3","a":{"b":"1","c":"2"},"d":"3"}`, true},
		{"no brackets", O{"include_brackets": false}, `{"message":"a=(x y)"}`, `{"message":"a=(x y)","a":"(x"}`, true},
		{"array source", O{}, `{"message":["a=1","b=2"]}`, `{"message":["a=1","b=2"],"a":"1","b":"2"}`, true},
		{"nothing found", O{}, `{"message":"plain text"}`, `{"message":"plain text"}`, false},
		{"missing source", O{"source": "zz"}, `{"message":"a=1"}`, `{"message":"a=1"}`, false},
		{"escaped quote", O{}, `{"message":"a=\"x\\\"y\" b=2"}`, `{"message":"a=\"x\\\"y\" b=2","a":"x\\\"y","b":"2"}`, true},
		{"bad key is a failure", O{}, `{"message":"[a=1"}`, `{"message":"[a=1","tags":["_kv_filter_error"]}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filtertest.MustNew(t, "kv", c.opts)
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

func TestKVConfigErrors(t *testing.T) {
	for _, c := range []struct {
		opts O
		want string
	}{
		{O{"value_split": ""}, "Configuration option 'value_split' must be a non-empty string"},
		{O{"field_split_pattern": ""}, "Configuration option 'field_split_pattern' must be a non-empty string"},
		{O{"transform_key": "reverse"}, "Expected one of"},
	} {
		_, err := filtertest.New("kv", c.opts, "")
		if !strings.Contains(err, c.want) {
			t.Errorf("%v: error %q does not contain %q", c.opts, err, c.want)
		}
	}
}
