package mutate

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestMutate(t *testing.T) {
	cases := []struct {
		name    string
		config  string
		in      string
		want    string
		matched bool
	}{
		{"coerce null only", `coerce => { "a" => "def" "b" => "x" "c" => "y" }`, `{"a":null,"b":"keep"}`, `{"a":"def","b":"keep"}`, true},
		{"rename sprintf and overwrite", `rename => { "old" => "new_%{k}" "missing" => "z" }`, `{"old":null,"k":"v","new_v":1}`, `{"k":"v","new_v":null}`, true},
		{"rename nested", `rename => { "[a][b]" => "[c][d]" }`, `{"a":{"b":1}}`, `{"a":{},"c":{"d":1}}`, true},
		{"update only existing", `update => { "a" => "%{b}!" "zz" => "no" }`, `{"a":1,"b":2}`, `{"a":"2!","b":2}`, true},
		{"replace creates", `replace => { "zz" => "%{b}" "[n][m]" => "x" }`, `{"b":2}`, `{"b":2,"zz":"2","n":{"m":"x"}}`, true},
		{"convert integer", `convert => { "a" => "integer" "b" => "integer" "c" => "integer" "d" => "integer" "e" => "integer" "f" => "integer" "g" => "integer" "h" => "integer" }`,
			`{"a":"1.5","b":"1,000","c":" 0x1A ","d":"-12.9","e":"1e3","f":true,"g":12.7,"h":"123456789012345678901234567890"}`,
			`{"a":1,"b":1000,"c":26,"d":-12,"e":1000,"f":1,"g":12,"h":123456789012345678901234567890}`, true},
		{"convert integer_eu", `convert => { "a" => "integer_eu" "b" => "float_eu" "c" => "integer_eu" }`, `{"a":"1.000","b":"1.000,5","c":"1,000"}`, `{"a":1000,"b":1000.5,"c":1}`, true},
		{"convert float", `convert => { "a" => "float" "b" => "float" "c" => "float" "d" => "float" }`, `{"a":"1,000.5","b":"1e3","c":5,"d":"0x1.edcdp6"}`, `{"a":1000.5,"b":1000.0,"c":5.0,"d":123.4501953125}`, true},
		{"convert boolean", `convert => { "a" => "boolean" "b" => "boolean" "c" => "boolean" "d" => "boolean" "e" => "boolean" "f" => "boolean" }`,
			`{"a":"YES","b":"0.0","c":"","d":"maybe","e":1,"f":"1x0"}`, `{"a":true,"b":false,"c":false,"d":"maybe","e":true,"f":true}`, true},
		{"convert string", `convert => { "a" => "string" "b" => "string" "c" => "string" "d" => "string" }`, `{"a":1e20,"b":1.5,"c":false,"d":[1,null,2]}`, `{"a":"1.0e+20","b":"1.5","c":"false","d":["1",null,"2"]}`, true},
		{"convert skips hash and missing", `convert => { "a" => "integer" "zz" => "integer" }`, `{"a":{"x":"1"}}`, `{"a":{"x":"1"}}`, true},
		{"convert integer failure", `convert => { "a" => "integer" "b" => "integer" }`, `{"a":"12abc","b":"5"}`, `{"a":"12abc","b":"5","tags":["_mutate_error"]}`, false},
		{"convert empty integer fails", `convert => { "a" => "integer" }`, `{"a":""}`, `{"a":"","tags":["_mutate_error"]}`, false},
		{"convert float failure custom tag", `convert => { "a" => "float" } tag_on_failure => "bad"`, `{"a":"abc","tags":["x"]}`, `{"a":"abc","tags":["x","bad"]}`, false},
		{"earlier changes stay on failure", `replace => { "r" => "done" } convert => { "a" => "integer" } uppercase => ["r"]`, `{"a":"x"}`, `{"a":"x","r":"done","tags":["_mutate_error"]}`, false},
		{"gsub", `gsub => ["a", "/", "_", "b", "[\\?#-]", ".", "c", "(\d+)-(\d+)", "\2:\1"]`, `{"a":"a/b/c","b":"x?y#z-","c":["10-20",5]}`, `{"a":"a_b_c","b":"x.y.z.","c":["20:10",5]}`, true},
		{"gsub named and dynamic", `gsub => ["a", "(?<w>o+)", "[\k<w>]", "b", "%{pat}", "%{rep}"]`, `{"a":"foo boo","b":"abcabc","pat":"b.","rep":"X"}`, `{"a":"f[oo] b[oo]","b":"aXaX","pat":"b.","rep":"X"}`, true},
		{"gsub ruby classes", `gsub => ["a", "\h+", "H", "b", "^x", "Y"]`, `{"a":"zz beef zz","b":"x1\nx2"}`, `{"a":"zz H zz","b":"Y1\nY2"}`, true},
		{"case mapping", `uppercase => ["a", "n"] lowercase => ["b"] capitalize => ["c", "d"]`, `{"a":"straße","b":"ÀB","c":"hELLO wORLD","d":["ab",1],"n":5}`, `{"a":"STRASSE","b":"àb","c":"Hello world","d":["Ab",1],"n":5}`, true},
		{"strip", `strip => ["a", "b", "c"]`, "{\"a\":\"\\u0000 \\t x \\n\",\"b\":[\" y \",\"z\"],\"c\":\"\\u00a0q\\u00a0\"}", "{\"a\":\"x\",\"b\":[\"y\",\"z\"],\"c\":\"\u00a0q\u00a0\"}", true},
		{"dynamic gsub with a bad regex fails", `gsub => ["a", "%{p}", "x"]`, `{"a":"q","p":"("}`, `{"a":"q","p":"(","tags":["_mutate_error"]}`, false},
		{"replace into an invalid field reference fails", `replace => { "[a" => "x" }`, `{"a":1}`, `{"a":1,"tags":["_mutate_error"]}`, false},
		{"rename into a scalar fails", `rename => { "a" => "[b][c]" }`, `{"a":1,"b":"s"}`, `{"b":"s","tags":["_mutate_error"]}`, false},
		{"strip array with number fails", `strip => ["a"]`, `{"a":[" x ",1]}`, `{"a":[" x ",1],"tags":["_mutate_error"]}`, false},
		{"split", `split => { "a" => "," "b" => " " "c" => "" "d" => "," "e" => "," }`, `{"a":"a,b,,c,,","b":" a  b c ","c":"héy","d":"","e":",a"}`, `{"a":["a","b","","c"],"b":["a","b","c"],"c":["h","é","y"],"d":[],"e":["","a"]}`, true},
		{"split non-string untouched", `split => { "a" => "," }`, `{"a":["x,y"]}`, `{"a":["x,y"]}`, true},
		{"join", `join => { "a" => "-" "b" => "," }`, `{"a":[1,[2,[3]],null,1.5,{"k":"v"},true],"b":"s"}`, `{"a":"1-2-3--1.5-{\"k\"=>\"v\"}-true","b":"s"}`, true},
		{"merge arrays and strings", `merge => { "a" => "b" "c" => "d" "e" => "zz" "f" => "g" }`, `{"a":["x"],"b":"y","c":"s","d":"t","e":"only","f":{"k":1},"g":{"k":2,"l":3}}`,
			`{"a":["x","y"],"b":"y","c":["s","t"],"d":"t","e":["only"],"f":{"k":2,"l":3},"g":{"k":2,"l":3}}`, true},
		{"merge hash with array skipped", `merge => { "a" => "b" "zz" => "b" }`, `{"a":["x"],"b":{"k":1}}`, `{"a":["x"],"b":{"k":1}}`, true},
		{"copy deep", `copy => { "a" => "[b][c]" "zz" => "d" "n" => "m" }`, `{"a":{"x":[1]},"n":null}`, `{"a":{"x":[1]},"n":null,"b":{"c":{"x":[1]}}}`, true},
		{"fixed order: rename before replace before split before join",
			`join => { "s" => "+" } split => { "s" => "," } replace => { "s" => "%{r}" } rename => { "src" => "r" }`,
			`{"src":"1,2"}`, `{"r":"1,2","s":"1+2"}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plugintest.Filter(t, "mutate { "+c.config+" }")
			e := plugintest.Event(t, c.in)
			matched, emitted := f.Call(e)
			if got := plugintest.Data(e); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if matched != c.matched || len(emitted) != 0 {
				t.Errorf("matched = %v (want %v), emitted %d", matched, c.matched, len(emitted))
			}
		})
	}
}

func TestMutateCopyIsIndependent(t *testing.T) {
	f := plugintest.Filter(t, `mutate { copy => { "a" => "b" } }`)
	e := plugintest.Event(t, `{"a":{"x":1}}`)
	f.Call(e)
	if err := e.Set("[a][x]", int64(2)); err != nil {
		t.Fatal(err)
	}
	if got := plugintest.Data(e); got != `{"a":{"x":2},"b":{"x":1}}` {
		t.Errorf("copy shares data with its source: %s", got)
	}
}

func TestMutateConfigErrors(t *testing.T) {
	cases := []struct {
		config string
		want   string
	}{
		{`convert => { "a" => "int" }`, "Invalid conversion type 'int', expected one of 'string,integer,float,boolean,integer_eu,float_eu'"},
		{`gsub => ["a", "b"]`, `Invalid gsub configuration ["a", "b", nil]. gsub requires 3 non-nil elements per config entry`},
		{`gsub => ["a", "(", "x"]`, "invalid regular expression"},
	}
	for _, c := range cases {
		_, err := plugintest.TryFilter(t, "mutate { "+c.config+" }")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v does not contain %q", c.config, err, c.want)
		}
	}
}

// TestMutateDecimals: JSON decimals from the json filter are BigDecimals
// in Logstash; convert and join go through Ruby's BigDecimal#to_s, to_i
// and to_f (expected values from JRuby 10.0.6, see
// testdata/event/jackson/bigdecimal.tsv).
func TestMutateDecimals(t *testing.T) {
	e := plugintest.Event(t, `{}`)
	fields := []string{"s", "5.1", "s2", "96.0", "s3", "1e10", "i", "-5.9", "i2", "1e20", "f", "0.1e1", "b", "1.0", "j", "2.50"}
	for i := 0; i < len(fields); i += 2 {
		d, err := event.ParseDecimal(fields[i+1])
		if err != nil {
			t.Fatal(err)
		}
		e.Set(fields[i], d)
	}
	j, _ := e.Get("j")
	e.Set("l", []any{j, "x"})
	f := plugintest.Filter(t, `mutate { convert => { "s" => "string" "s2" => "string" "s3" => "string" "i" => "integer" "i2" => "integer" "f" => "float" "b" => "boolean" } join => { "l" => "+" } }`)
	matched, _ := f.Call(e)
	want := `{"s":"0.51e1","s2":"0.96e2","s3":"0.1e11","i":-5,"i2":100000000000000000000,"f":1.0,"b":1.0,"j":2.50,"l":"0.25e1+x"}`
	if got := plugintest.Data(e); got != want || !matched {
		t.Errorf("got  %s (matched %v)\nwant %s", got, matched, want)
	}
}
