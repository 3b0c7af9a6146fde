package dissect

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// The expectations follow the dissect filter's documented pattern syntax
// (logstash-filter-dissect docs/index.asciidoc) and the behaviour of its
// Java scanner described in /work/shared/spec/filters-wave2.md §5.
func TestDissect(t *testing.T) {
	cases := []struct {
		name    string
		config  string
		in      string
		want    string
		matched bool
	}{
		{"normal fields", `mapping => { "message" => "%{a} %{b} %{c}" }`, `{"message":"1 2 3 4"}`, `{"message":"1 2 3 4","a":"1","b":"2","c":"3 4"}`, true},
		{"leading delimiter must be at the start", `mapping => { "message" => "[%{a}] %{b}" }`, `{"message":"[x] y"}`, `{"message":"[x] y","a":"x","b":"y"}`, true},
		{"leading delimiter elsewhere fails", `mapping => { "message" => "[%{a}] %{b}" }`, `{"message":"z[x] y"}`, `{"message":"z[x] y","tags":["_dissectfailure"]}`, false},
		{"trailing text ends the last field", `mapping => { "message" => "%{a} %{b}." }`, `{"message":"x y.z. w"}`, `{"message":"x y.z. w","a":"x","b":"y"}`, true},
		{"missing delimiter fails", `mapping => { "message" => "%{a}|%{b}" }`, `{"message":"a b"}`, `{"message":"a b","tags":["_dissectfailure"]}`, false},
		{"right padding skips repeats", `mapping => { "message" => "%{a->} %{b}" }`, `{"message":"x     y"}`, `{"message":"x     y","a":"x","b":"y"}`, true},
		{"without padding repeats make empty values", `mapping => { "message" => "%{a} %{b} %{c}" }`, `{"message":"x  y"}`, `{"message":"x  y","a":"x","b":"","c":"y"}`, true},
		{"padding with ordinal suffix", `mapping => { "message" => "%{+a/2->} %{+a/1}" }`, `{"message":"x   y"}`, `{"message":"x   y","a":"y x"}`, true},
		{"append in declared order", `mapping => { "message" => "%{a} %{b} %{+a}" }`, `{"message":"1 2 3 go"}`, `{"message":"1 2 3 go","a":"1 3 go","b":"2"}`, true},
		{"append ordinals", `mapping => { "message" => "%{+a/2} %{+a/1} %{+a/4} %{+a/3}" }`, `{"message":"1 2 3 go"}`, `{"message":"1 2 3 go","a":"2 1 go 3"}`, true},
		{"append joins with the preceding delimiter", `mapping => { "message" => "%{a}-%{+a}:%{+a}" }`, `{"message":"x-y:z"}`, `{"message":"x-y:z","a":"x-y:z"}`, true},
		{"append to an existing field", `mapping => { "message" => "%{+pre} %{b}" }`, `{"message":"x y","pre":"p"}`, `{"message":"x y","pre":"p x","b":"y"}`, true},
		{"append to an existing number", `mapping => { "message" => "%{+n} %{b}" }`, `{"message":"x y","n":5}`, `{"message":"x y","n":"5 x","b":"y"}`, true},
		{"skip fields", `mapping => { "message" => "%{} %{?b} %{c}" }`, `{"message":"1 2 3"}`, `{"message":"1 2 3","c":"3"}`, true},
		{"indirect from a skip field", `mapping => { "message" => "%{?a}: %{&a}" }`, `{"message":"google: 77.98"}`, `{"message":"google: 77.98","google":"77.98"}`, true},
		{"indirect from a stored field", `mapping => { "message" => "%{k} %{&k}" }`, `{"message":"x y"}`, `{"message":"x y","k":"x","x":"y"}`, true},
		{"indirect from an event field", `mapping => { "message" => "%{a} %{&other}" }`, `{"message":"x y","other":"z"}`, `{"message":"x y","other":"z","a":"x","z":"y"}`, true},
		{"indirect with an empty key stores nothing", `mapping => { "message" => "%{?k}|%{&k}" }`, `{"message":"|y"}`, `{"message":"|y"}`, true},
		{"nested field references", `mapping => { "[log][line]" => "%{[x][a]} %{[x][b]}" }`, `{"log":{"line":"1 2"}}`, `{"log":{"line":"1 2"},"x":{"a":"1","b":"2"}}`, true},
		{"several mappings", `mapping => { "a" => "%{x}-%{y}" "b" => "%{z}:%{w}" }`, `{"a":"1-2","b":"nomatch"}`, `{"a":"1-2","b":"nomatch","x":"1","y":"2","tags":["_dissectfailure"]}`, true},
		{"missing source is not tagged", `mapping => { "nope" => "%{a} %{b}" }`, `{"message":"x y"}`, `{"message":"x y"}`, false},
		{"empty source is tagged", `mapping => { "message" => "%{a} %{b}" }`, `{"message":""}`, `{"message":"","tags":["_dissectfailure"]}`, false},
		{"null source is tagged", `mapping => { "message" => "%{a} %{b}" }`, `{"message":null}`, `{"message":null,"tags":["_dissectfailure"]}`, false},
		{"numbers are dissected as text", `mapping => { "n" => "%{a}.%{b}" }`, `{"n":3.25}`, `{"n":3.25,"a":"3","b":"25"}`, true},
		{"custom failure tags", `mapping => { "message" => "%{a}|%{b}" } tag_on_failure => ["x", "y"]`, `{"message":"ab"}`, `{"message":"ab","tags":["x","y"]}`, false},
		{"empty pattern is skipped", `mapping => { "message" => "" }`, `{"message":"ab"}`, `{"message":"ab"}`, false},
		{"delimiter at the very start gives empty values", `mapping => { "message" => "%{a} %{b} %{c}" }`, `{"message":" x y"}`, `{"message":" x y","a":"","b":"","c":" x y"}`, true},
		{"multi-byte delimiters", `mapping => { "message" => "%{a} :: %{b} -- %{c}" }`, `{"message":"é :: ü -- ok"}`, `{"message":"é :: ü -- ok","a":"é","b":"ü","c":"ok"}`, true},
		{"convert int and float", `mapping => { "message" => "%{i} %{f} %{t}" } convert_datatype => { "i" => "int" "f" => "float" "t" => "INT" }`, `{"message":"3.9 1e3 -7"}`, `{"message":"3.9 1e3 -7","i":3,"f":1E+3,"t":-7}`, true},
		{"convert failures", `mapping => { "message" => "%{i} %{f}" } convert_datatype => { "i" => "int" "missing" => "float" }`, `{"message":"abc 1"}`, `{"message":"abc 1","i":"abc","f":"1","tags":["_dataconversionuncoercible_i_int","_dataconversionnullvalue_missing_float"]}`, true},
		{"convert runs even without a match", `mapping => { "message" => "%{a}|%{b}" } convert_datatype => { "n" => "float" }`, `{"message":"ab","n":".5"}`, `{"message":"ab","n":0.5,"tags":["_dissectfailure"]}`, false},
		{"bad field reference is a failure", `mapping => { "message" => "%{[a} %{b}" }`, `{"message":"x y"}`, `{"message":"x y","tags":["_dissectfailure"]}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "dissect { "+c.config+" }")
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

func TestDissectConfigErrors(t *testing.T) {
	for _, c := range []struct {
		config string
		want   string
	}{
		{`mapping => { "message" => "%{+&a}" }`, "Field cannot prefix with both Append and Indirect Prefix (+&): +&a"},
		{`mapping => { "message" => "%{&+a}" }`, "Field cannot prefix with both Append and Indirect Prefix (&+): &+a"},
		{`mapping => { "message" => "%{+} %{b}" }`, "Field cannot be a prefix on its own without further text"},
		{`mapping => { "message" => "%{&/2} %{b}" }`, "Field cannot be a prefix and a suffix without a name section"},
		{`convert_datatype => { "a" => "integer" }`, "Dissector datatype conversion, datatype not supported: integer"},
		{`mapping => { "message" => "no fields" }`, "has no %{...} field"},
	} {
		_, err := plugintest.TryFilter(t, "dissect { "+c.config+" }")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v does not contain %q", c.config, err, c.want)
		}
	}
}

func TestNameAndSuffix(t *testing.T) {
	for _, c := range []struct{ in, name, suffix string }{
		{"a", "a", ""}, {"a->", "a", "->"}, {"a/2", "a", "/2"}, {"a/12->", "a", "/12->"}, {"a->/3", "a", "->/3"},
		{"a/123", "a/123", ""}, {"->", "", "->"}, {"", "", ""}, {"[a][b]->", "[a][b]", "->"},
	} {
		if n, s := nameAndSuffix(c.in); n != c.name || s != c.suffix {
			t.Errorf("nameAndSuffix(%q) = %q, %q; want %q, %q", c.in, n, s, c.name, c.suffix)
		}
	}
}
