package kv

import (
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Samples and expectations from the Logstash plugin's own specification
// (logstash-filter-kv spec/filters/kv_spec.rb). A nil want means the key
// must not be set.
func TestKVSpecSamples(t *testing.T) {
	cases := []struct {
		name    string
		config  string
		message string
		want    map[string]any
	}{
		{"defaults", ``, `hello=world foo=bar baz=fizz doublequoted="hello world" singlequoted='hello world' bracketsone=(hello world) bracketstwo=[hello world] bracketsthree=<hello world>`,
			map[string]any{"hello": "world", "foo": "bar", "baz": "fizz", "doublequoted": "hello world", "singlequoted": "hello world", "bracketsone": "hello world", "bracketstwo": "hello world", "bracketsthree": "hello world"}},
		{"uppercase keys, lowercase values", `transform_key => "uppercase" transform_value => "lowercase"`, `hello = world Foo =Bar BAZ= FIZZ doublequoteD = "hellO worlD" Singlequoted= 'Hello World' brAckets =(hello World)`,
			map[string]any{"HELLO": "world", "FOO": "bar", "BAZ": "fizz", "DOUBLEQUOTED": "hello world", "SINGLEQUOTED": "hello world", "BRACKETS": "hello world"}},
		{"lowercase keys, uppercase values", `transform_key => "lowercase" transform_value => "uppercase"`, `Hello = World fOo =bar baz= FIZZ DOUBLEQUOTED = "hellO worlD" singlequoted= 'hEllo wOrld' brackets =(HELLO world)`,
			map[string]any{"hello": "WORLD", "foo": "BAR", "baz": "FIZZ", "doublequoted": "HELLO WORLD", "singlequoted": "HELLO WORLD", "brackets": "HELLO WORLD"}},
		{"capitalize", `transform_key => "capitalize" transform_value => "capitalize"`, `Hello = World fOo =bar baz= FIZZ DOUBLEQUOTED = "hellO worlD" singlequoted= 'hEllo wOrld' brackets =(HELLO world)`,
			map[string]any{"Hello": "World", "Foo": "Bar", "Baz": "Fizz", "Doublequoted": "Hello world", "Singlequoted": "Hello world", "Brackets": "Hello world"}},
		{"strict whitespace, empty OUT", `whitespace => "strict"`, `IN=eth0 OUT= MAC=0f:5f:5e:aa:d3:a2:21:ff:09:00:0f:e1:c8:17 SRC=192.168.0.1`,
			map[string]any{"IN": "eth0", "OUT": nil, "MAC": "0f:5f:5e:aa:d3:a2:21:ff:09:00:0f:e1:c8:17", "SRC": "192.168.0.1"}},
		{"strict whitespace, empty values", `whitespace => "strict"`, `hello=world goodbye=cruel\ world empty_quoted="" quoted="value1" empty_unquoted= unquoted=value2 empty_bracketed=[] bracketed=[value3] cake=delicious`,
			map[string]any{"hello": "world", "goodbye": `cruel\ world`, "empty_quoted": nil, "quoted": "value1", "empty_unquoted": nil, "unquoted": "value2", "empty_bracketed": nil, "bracketed": "value3", "cake": "delicious"}},
		{"strict whitespace ignores spaced pairs", `whitespace => "strict"`, `hello = world foo =bar baz= fizz whitespace=none doublequoted = "hello world" singlequoted= 'hello world' brackets =(hello world) strict=true`,
			map[string]any{"whitespace": "none", "strict": "true", "hello": nil, "foo": nil, "baz": nil, "doublequoted": nil, "singlequoted": nil, "brackets": nil}},
		{"escaped spaces (LOGSTASH-624)", `value_split => ":"`, `IKE:=Quick\ Mode\ completion IKE\ IDs:=subnet:\ x.x.x.x\ (mask=\ 255.255.255.254)\ and\ host:\ y.y.y.y`,
			map[string]any{"IKE": `=Quick\ Mode\ completion`, `IKE\ IDs`: `=subnet:\ x.x.x.x\ (mask=\ 255.255.255.254)\ and\ host:\ y.y.y.y`}},
		{"alternate value splitter", `value_split => ":"`, `hello:=world foo:bar baz=:fizz doublequoted:"hello world" singlequoted:'hello world' brackets:(hello world)`,
			map[string]any{"hello": "=world", "foo": "bar", "baz=": "fizz", "doublequoted": "hello world", "singlequoted": "hello world", "brackets": "hello world"}},
		{"field_split characters", `field_split => "?&"`, `?hello=world&foo=bar&baz=fizz&doublequoted="hello world"&singlequoted='hello world'&ignoreme&foo12=bar12`,
			map[string]any{"hello": "world", "foo": "bar", "baz": "fizz", "doublequoted": "hello world", "singlequoted": "hello world", "foo12": "bar12"}},
		{"brackets are not quotes", `include_brackets => false`, `bracketsone=(hello world) bracketstwo=[hello world]`,
			map[string]any{"bracketsone": "(hello", "bracketstwo": "[hello"}},
		{"recursive", `recursive => true`, `foo=1 bar=(baz=2)`, map[string]any{"foo": "1"}},
		{"pipe delimited (LOGSTASH-733)", `field_split => "|"`, `field1=test|field2=another test|field3=test3`,
			map[string]any{"field1": "test", "field2": "another test", "field3": "test3"}},
		{"prefix", `prefix => "__"`, `hello=world foo=bar baz=fizz doublequoted="hello world" singlequoted='hello world'`,
			map[string]any{"__hello": "world", "__foo": "bar", "__baz": "fizz", "__doublequoted": "hello world", "__singlequoted": "hello world"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "kv { "+c.config+" }")
			e := plugintest.Event(t, "{}")
			e.Data().Set("message", c.message)
			f.Call(e)
			for k, want := range c.want {
				got, ok := e.Data().Get(k)
				if want == nil && ok || want != nil && got != want {
					t.Errorf("%s = %v (set %v), want %v; event %s", k, got, ok, want, plugintest.Data(e))
				}
			}
		})
	}
}

func TestKVSpecRecursive(t *testing.T) {
	f := plugintest.Filter(t, `kv { recursive => true }`)
	for _, c := range []struct{ message, want string }{
		{`foo=1 bar=(baz=2)`, `{"message":"foo=1 bar=(baz=2)","foo":"1","bar":{"baz":"2"}}`},
		{`IKE="Quick Mode completion" IKE\ IDs = (subnet= x.x.x.x mask= 255.255.255.254 and host=y.y.y.y)`,
			`{"message":"IKE=\"Quick Mode completion\" IKE\\ IDs = (subnet= x.x.x.x mask= 255.255.255.254 and host=y.y.y.y)","IKE":"Quick Mode completion","IKE\\ IDs":{"subnet":"x.x.x.x","mask":"255.255.255.254","host":"y.y.y.y"}}`},
	} {
		e := plugintest.Event(t, "{}")
		e.Data().Set("message", c.message)
		f.Call(e)
		if got := plugintest.Data(e); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
