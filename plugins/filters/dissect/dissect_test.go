package dissect

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type H = filtertest.Hash
type O = filtertest.Options

// The expectations follow the dissect filter's documented pattern syntax
// (logstash-filter-dissect docs/index.asciidoc) and the behaviour of its
// Java scanner described in /work/shared/spec/filters-wave2.md §5.
func TestDissect(t *testing.T) {
	cases := []struct {
		name    string
		opts    O
		in      string
		want    string
		matched bool
	}{
		{"normal fields", O{"mapping": H{"message", "%{a} %{b} %{c}"}}, `{"message":"1 2 3 4"}`, `{"message":"1 2 3 4","a":"1","b":"2","c":"3 4"}`, true},
		{"leading delimiter must be at the start", O{"mapping": H{"message", "[%{a}] %{b}"}}, `{"message":"[x] y"}`, `{"message":"[x] y","a":"x","b":"y"}`, true},
		{"leading delimiter elsewhere fails", O{"mapping": H{"message", "[%{a}] %{b}"}}, `{"message":"z[x] y"}`, `{"message":"z[x] y","tags":["_dissectfailure"]}`, false},
		{"trailing text ends the last field", O{"mapping": H{"message", "%{a} %{b}."}}, `{"message":"x y.z. w"}`, `{"message":"x y.z. w","a":"x","b":"y"}`, true},
		{"missing delimiter fails", O{"mapping": H{"message", "%{a}|%{b}"}}, `{"message":"a b"}`, `{"message":"a b","tags":["_dissectfailure"]}`, false},
		{"right padding skips repeats", O{"mapping": H{"message", "%{a->} %{b}"}}, `{"message":"x     y"}`, `{"message":"x     y","a":"x","b":"y"}`, true},
		{"without padding repeats make empty values", O{"mapping": H{"message", "%{a} %{b} %{c}"}}, `{"message":"x  y"}`, `{"message":"x  y","a":"x","b":"","c":"y"}`, true},
		{"padding with ordinal suffix", O{"mapping": H{"message", "%{+a/2->} %{+a/1}"}}, `{"message":"x   y"}`, `{"message":"x   y","a":"y x"}`, true},
		{"append in declared order", O{"mapping": H{"message", "%{a} %{b} %{+a}"}}, `{"message":"1 2 3 go"}`, `{"message":"1 2 3 go","a":"1 3 go","b":"2"}`, true},
		{"append ordinals", O{"mapping": H{"message", "%{+a/2} %{+a/1} %{+a/4} %{+a/3}"}}, `{"message":"1 2 3 go"}`, `{"message":"1 2 3 go","a":"2 1 go 3"}`, true},
		{"append joins with the preceding delimiter", O{"mapping": H{"message", "%{a}-%{+a}:%{+a}"}}, `{"message":"x-y:z"}`, `{"message":"x-y:z","a":"x-y:z"}`, true},
		{"append to an existing field", O{"mapping": H{"message", "%{+pre} %{b}"}}, `{"message":"x y","pre":"p"}`, `{"message":"x y","pre":"p x","b":"y"}`, true},
		{"append to an existing number", O{"mapping": H{"message", "%{+n} %{b}"}}, `{"message":"x y","n":5}`, `{"message":"x y","n":"5 x","b":"y"}`, true},
		{"skip fields", O{"mapping": H{"message", "%{} %{?b} %{c}"}}, `{"message":"1 2 3"}`, `{"message":"1 2 3","c":"3"}`, true},
		{"indirect from a skip field", O{"mapping": H{"message", "%{?a}: %{&a}"}}, `{"message":"google: 77.98"}`, `{"message":"google: 77.98","google":"77.98"}`, true},
		{"indirect from a stored field", O{"mapping": H{"message", "%{k} %{&k}"}}, `{"message":"x y"}`, `{"message":"x y","k":"x","x":"y"}`, true},
		{"indirect from an event field", O{"mapping": H{"message", "%{a} %{&other}"}}, `{"message":"x y","other":"z"}`, `{"message":"x y","other":"z","a":"x","z":"y"}`, true},
		{"indirect with an empty key stores nothing", O{"mapping": H{"message", "%{?k}|%{&k}"}}, `{"message":"|y"}`, `{"message":"|y"}`, true},
		{"nested field references", O{"mapping": H{"[log][line]", "%{[x][a]} %{[x][b]}"}}, `{"log":{"line":"1 2"}}`, `{"log":{"line":"1 2"},"x":{"a":"1","b":"2"}}`, true},
		{"several mappings", O{"mapping": H{"a", "%{x}-%{y}", "b", "%{z}:%{w}"}}, `{"a":"1-2","b":"nomatch"}`, `{"a":"1-2","b":"nomatch","x":"1","y":"2","tags":["_dissectfailure"]}`, true},
		{"missing source is not tagged", O{"mapping": H{"nope", "%{a} %{b}"}}, `{"message":"x y"}`, `{"message":"x y"}`, false},
		{"empty source is tagged", O{"mapping": H{"message", "%{a} %{b}"}}, `{"message":""}`, `{"message":"","tags":["_dissectfailure"]}`, false},
		{"null source is tagged", O{"mapping": H{"message", "%{a} %{b}"}}, `{"message":null}`, `{"message":null,"tags":["_dissectfailure"]}`, false},
		{"numbers are dissected as text", O{"mapping": H{"n", "%{a}.%{b}"}}, `{"n":3.25}`, `{"n":3.25,"a":"3","b":"25"}`, true},
		{"custom failure tags", O{"mapping": H{"message", "%{a}|%{b}"}, "tag_on_failure": []any{"x", "y"}}, `{"message":"ab"}`, `{"message":"ab","tags":["x","y"]}`, false},
		{"empty pattern is skipped", O{"mapping": H{"message", ""}}, `{"message":"ab"}`, `{"message":"ab"}`, false},
		{"delimiter at the very start gives empty values", O{"mapping": H{"message", "%{a} %{b} %{c}"}}, `{"message":" x y"}`, `{"message":" x y","a":"","b":"","c":" x y"}`, true},
		{"multi-byte delimiters", O{"mapping": H{"message", "%{a} :: %{b} -- %{c}"}}, `{"message":"é :: ü -- ok"}`, `{"message":"é :: ü -- ok","a":"é","b":"ü","c":"ok"}`, true},
		{"convert int and float", O{"mapping": H{"message", "%{i} %{f} %{t}"}, "convert_datatype": H{"i", "int", "f", "float", "t", "INT"}}, `{"message":"3.9 1e3 -7"}`, `{"message":"3.9 1e3 -7","i":3,"f":1E+3,"t":-7}`, true},
		{"convert failures", O{"mapping": H{"message", "%{i} %{f}"}, "convert_datatype": H{"i", "int", "missing", "float"}}, `{"message":"abc 1"}`, `{"message":"abc 1","i":"abc","f":"1","tags":["_dataconversionuncoercible_i_int","_dataconversionnullvalue_missing_float"]}`, true},
		{"convert runs even without a match", O{"mapping": H{"message", "%{a}|%{b}"}, "convert_datatype": H{"n", "float"}}, `{"message":"ab","n":".5"}`, `{"message":"ab","n":0.5,"tags":["_dissectfailure"]}`, false},
		{"bad field reference is a failure", O{"mapping": H{"message", "%{[a} %{b}"}}, `{"message":"x y"}`, `{"message":"x y","tags":["_dissectfailure"]}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filtertest.MustNew(t, "dissect", c.opts)
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

func TestDissectConfigErrors(t *testing.T) {
	for _, c := range []struct {
		opts O
		want string
	}{
		{O{"mapping": H{"message", "%{+&a}"}}, "Field cannot prefix with both Append and Indirect Prefix (+&): +&a"},
		{O{"mapping": H{"message", "%{&+a}"}}, "Field cannot prefix with both Append and Indirect Prefix (&+): &+a"},
		{O{"mapping": H{"message", "%{+} %{b}"}}, "Field cannot be a prefix on its own without further text"},
		{O{"mapping": H{"message", "%{&/2} %{b}"}}, "Field cannot be a prefix and a suffix without a name section"},
		{O{"convert_datatype": H{"a", "integer"}}, "Dissector datatype conversion, datatype not supported: integer"},
		{O{"mapping": H{"message", "no fields"}}, "has no %{...} field"},
	} {
		_, err := filtertest.New("dissect", c.opts, "")
		if !strings.Contains(err, c.want) {
			t.Errorf("%v: error %q does not contain %q", c.opts, err, c.want)
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
