package translate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Expectations follow the plugin's updaters and fetch strategies
// (spec/filters-wave2.md §4).
func TestTranslate(t *testing.T) {
	dict := `{ "200" => "OK" "404" => "Not Found" "4\d\d" => "client error" }`
	cases := []struct {
		name    string
		config  string
		ecs     string
		in      string
		want    string
		matched bool
	}{
		{"exact to the legacy target", `source => "code" dictionary => ` + dict, "disabled", `{"code":"200"}`, `{"code":"200","translation":"OK"}`, true},
		{"ECS translates in place", `source => "code" dictionary => ` + dict, "v8", `{"code":"404"}`, `{"code":"Not Found"}`, true},
		{"in place matches even without a translation", `source => "code" dictionary => ` + dict, "v8", `{"code":"999"}`, `{"code":"999"}`, true},
		{"numbers are looked up as text", `source => "code" target => "t" dictionary => ` + dict, "", `{"code":200}`, `{"code":200,"t":"OK"}`, true},
		{"the first element of a list", `source => "code" target => "t" dictionary => ` + dict, "", `{"code":["404","200"]}`, `{"code":["404","200"],"t":"Not Found"}`, true},
		{"no match, no fallback", `source => "code" target => "t" dictionary => ` + dict, "", `{"code":"1"}`, `{"code":"1"}`, false},
		{"fallback is sprintf'd", `source => "code" target => "t" dictionary => ` + dict + ` fallback => "no %{code}"`, "", `{"code":"1"}`, `{"code":"1","t":"no 1"}`, true},
		{"an existing target is kept", `source => "code" target => "t" dictionary => ` + dict, "", `{"code":"200","t":"x"}`, `{"code":"200","t":"x"}`, false},
		{"override replaces the target", `source => "code" target => "t" dictionary => ` + dict + ` override => true`, "", `{"code":"200","t":"x"}`, `{"code":"200","t":"OK"}`, true},
		{"missing source", `source => "code" target => "t" dictionary => ` + dict + ` fallback => "f"`, "", `{}`, `{}`, false},
		{"regex keys in dictionary order", `source => "code" target => "t" dictionary => ` + dict + ` regex => true`, "", `{"code":"x404"}`, `{"code":"x404","t":"Not Found"}`, true},
		{"regex keys are unanchored", `source => "code" target => "t" dictionary => ` + dict + ` regex => true`, "", `{"code":"a418b"}`, `{"code":"a418b","t":"client error"}`, true},
		{"substring replacement", `source => "m" target => "t" dictionary => { "cat" => "dog" "ca" => "X" } exact => false`, "", `{"m":"a cat, a car"}`, `{"m":"a cat, a car","t":"a dog, a Xr"}`, true},
		{"substring replacement that changes nothing is no match", `source => "m" target => "t" dictionary => { "zz" => "y" } exact => false`, "", `{"m":"abc"}`, `{"m":"abc"}`, false},
		{"values are deep copies of lists", `source => "code" target => "t" dictionary => { "a" => ["x", "y"] }`, "", `{"code":"a"}`, `{"code":"a","t":["x","y"]}`, true},
		{"legacy field and destination", `field => "code" destination => "d" dictionary => ` + dict, "", `{"code":"200"}`, `{"code":"200","d":"OK"}`, true},
		{"iterate over values", `source => "codes" iterate_on => "codes" target => "names" dictionary => ` + dict, "", `{"codes":["200","1",404]}`, `{"codes":["200","1",404],"names":["OK",null,"Not Found"]}`, true},
		{"iterate over values with fallback", `source => "codes" iterate_on => "codes" target => "names" dictionary => ` + dict + ` fallback => "?"`, "", `{"codes":"1"}`, `{"codes":"1","names":["?"]}`, true},
		{"iterate over values, none found", `source => "codes" iterate_on => "codes" target => "names" dictionary => ` + dict, "", `{"codes":["1"]}`, `{"codes":["1"],"names":[null]}`, false},
		{"iterate over objects", `source => "c" iterate_on => "[items]" target => "[n]" dictionary => ` + dict, "", `{"items":[{"c":"200"},{"x":1},{"c":"7"}]}`, `{"items":[{"c":"200","n":"OK"},{"x":1},{"c":"7"}]}`, true},
		{"iterate over objects ignores override", `source => "c" iterate_on => "items" target => "c" dictionary => ` + dict, "", `{"items":[{"c":"404"}]}`, `{"items":[{"c":"Not Found"}]}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []plugintest.Option
			if c.ecs != "" {
				opts = append(opts, plugintest.ECS(c.ecs))
			}
			f := plugintest.Filter(t, "translate { "+c.config+" }", opts...)
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

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTranslateConfigErrors(t *testing.T) {
	yml := writeFile(t, "d.yml", "a: b\n")
	txt := writeFile(t, "d.txt", "a,b\n")
	bad := writeFile(t, "bad.json", "[1,2]")
	for _, c := range []struct {
		config string
		want   string
	}{
		{`dictionary => { "a" => "b" }`, "No source field specified, please provide the `source => ...` option"},
		{`source => "a" field => "b"`, "Please remove `field => \"b\"` and only set the `source => ...` option instead"},
		{`source => "a" target => "b" destination => "c"`, "Please remove `destination => \"c\"` and only set the `target => ...` option instead"},
		{`source => "a" target => "a" override => false`, "Configuring `override => false` with in-place translation has no effect, please remove the option"},
		{`source => "a" dictionary => { "a" => "b" } dictionary_path => ` + plugintest.Quote(yml), "The configuration options 'dictionary' and 'dictionary_path' are mutually exclusive"},
		{`source => "a" dictionary_path => ` + plugintest.Quote(txt), "has a non valid format"},
		{`source => "a" dictionary_path => ` + plugintest.Quote(bad), "when loading dictionary file at " + bad},
		{`source => "a" dictionary_path => ` + plugintest.Quote(yml) + ` yaml_dictionary_code_point_limit => 0`, "Please set a positive number in `yaml_dictionary_code_point_limit => 0`."},
		{`source => "a" dictionary_path => ` + plugintest.Quote(yml) + ` yaml_dictionary_code_point_limit => 3`, "The incoming YAML document exceeds the limit: 3 code points."},
		{`source => "a" dictionary_path => ` + plugintest.Quote(bad) + ` yaml_dictionary_code_point_limit => 9`, "Please remove `yaml_dictionary_code_point_limit` for dictionary file in JSON or CSV format"},
		{`source => "a" regex => true dictionary => { "(" => "b" }`, "("},
	} {
		_, err := plugintest.TryFilter(t, "translate { "+c.config+" }", plugintest.ECS("disabled"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v does not contain %q", c.config, err, c.want)
		}
	}
}

func TestDictionaryFiles(t *testing.T) {
	cases := []struct{ name, text, key, want string }{
		{"d.yaml", "\"200\": OK\n404: numeric key\n\"301\": yes\nlist: [a, 1]\n", "200", `"OK"`},
		{"d.yml", "404: numeric key\n", "404", `null`},
		{"d.yml", "\"301\": yes\n", "301", `true`},
		{"d.yml", "\"x\": \"yes\"\n", "x", `"yes"`},
		{"d.yml", "list: [a, 1, {k: v}]\n", "list", `["a",1,{"k":"v"}]`},
		{"d.json", "\uFEFF{\"a\": {\"b\": 1.5}}", "a", `{"b":1.5}`},
		{"d.json", "", "a", `null`},
		{"d.csv", "k,v,ignored\n\"q,1\",\"two\"\"s\"\nonly\n", "q,1", `"two\"s"`},
		{"d.csv", "k,v\nonly\n", "only", `null`},
	}
	for _, c := range cases {
		t.Run(c.name+" "+c.key, func(t *testing.T) {
			p := writeFile(t, c.name, c.text)
			f := plugintest.Filter(t, `translate { source => "k" dictionary_path => `+plugintest.Quote(p)+` refresh_interval => 0 }`, plugintest.ECS("disabled"))
			e := plugintest.Event(t, `{}`)
			e.Data().Set("k", c.key)
			f.Call(e)
			v, _ := e.Get("translation")
			if got := string(event.AppendJSON(nil, v)); got != c.want {
				t.Errorf("got %s want %s", got, c.want)
			}
		})
	}
}

func TestReloadMergesOrReplaces(t *testing.T) {
	for _, behaviour := range []string{"merge", "replace"} {
		t.Run(behaviour, func(t *testing.T) {
			p := writeFile(t, "d.json", `{"a":"1","b":"2"}`)
			f := plugintest.Filter(t, `translate { source => "k" dictionary_path => `+plugintest.Quote(p)+` refresh_interval => 0 refresh_behaviour => `+plugintest.Quote(behaviour)+` }`, plugintest.ECS("disabled")).Plugin.(*translateFilter)
			if err := os.WriteFile(p, []byte(`{"b":"22","c":"3"}`), 0o644); err != nil {
				t.Fatal(err)
			}
			// A different modification time, whatever the file system's resolution.
			later := time.Now().Add(time.Hour)
			os.Chtimes(p, later, later)
			f.reload(true)
			var got []string
			for _, k := range []string{"a", "b", "c"} {
				v, _ := f.dict.Load().fetch(f.how, k)
				got = append(got, event.ValueString(v))
			}
			want := map[string]string{"merge": "1 22 3", "replace": " 22 3"}[behaviour]
			if strings.Join(got, " ") != want {
				t.Errorf("got %q want %q", strings.Join(got, " "), want)
			}
			os.Remove(p)
			f.reload(false)
			if v, _ := f.dict.Load().fetch(f.how, "c"); v != "3" {
				t.Errorf("a missing file must keep the dictionary, got %v", v)
			}
		})
	}
}

func TestReloadSkipsAnUnchangedFile(t *testing.T) {
	p := writeFile(t, "d.json", `{"a":"1"}`)
	f := plugintest.Filter(t, `translate { source => "k" dictionary_path => `+plugintest.Quote(p)+` refresh_interval => 0 refresh_behaviour => "replace" }`, plugintest.ECS("disabled")).Plugin.(*translateFilter)
	before := f.dict.Load()
	f.reload(true)
	if f.dict.Load() != before {
		t.Error("an unchanged file was read again")
	}
	f.reload(false)
	if f.dict.Load() == before {
		t.Error("a long refresh interval reads the file every time")
	}
}
