package lfv

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	_ "github.com/gostash/gostash/plugins/filters/drop"
	_ "github.com/gostash/gostash/plugins/filters/mutate"
	_ "github.com/gostash/gostash/plugins/inputs/generator"
	_ "github.com/gostash/gostash/plugins/inputs/stdin"
	_ "github.com/gostash/gostash/plugins/outputs/stdout"
	"github.com/gostash/gostash/runtime/plugin"
)

const runConfig = `
input {
  tcp { id => "app_in" port => 5000 codec => json_lines type => "app" tags => ["from_%{[src]}"] add_field => { "origin" => "tcp" } }
  nosuchinput { id => "other" }
}
filter {
  if [message] == "drop me" { drop {} }
  if [type] == "app" {
    mutate { add_field => { "seen" => "%{message}" } }
  }
  mutate { copy => { "[@metadata][m]" => "meta_copy" } }
}
output { elasticsearch { hosts => ["x"] } }
`

func newRunner(t testing.TB) *Runner {
	t.Helper()
	cfg, diags := lang.Parse("filters.conf", []byte(runConfig), lang.ParseOptions{})
	if cfg == nil {
		t.Fatalf("config: %s", diags.Format(nil))
	}
	ps := plugin.DefaultPipelineSettings(1)
	ps.ECSCompatibility = "disabled"
	r, diags := NewRunner([]*Pipeline{{ID: "main", Configs: []*lang.Config{cfg}}}, &plugin.BuildContext{Pipeline: ps}, Options{})
	if diags.HasErrors() {
		t.Fatalf("NewRunner: %s", diags.Format(nil))
	}
	return r
}

func runSuite(t *testing.T, name, src string) string {
	t.Helper()
	s := mustParse(t, name, src)
	results, diags := newRunner(t).Run(s)
	var b strings.Builder
	rep := &Reporter{W: &b, Verbose: true}
	rep.Suite(s, results)
	b.WriteString(diags.Format(nil))
	return b.String()
}

func TestRunPassesAndFails(t *testing.T) {
	got := runSuite(t, "app.yaml", `
fields:
  type: app
testcases:
  - description: line codec by default
    input: ["hello", "drop me", "world"]
    expected:
      - {type: app, message: hello, seen: hello}
      - {type: app, message: world, seen: world}
  - description: fields only
    fields: {type: other, "[@metadata][m]": x}
    expected:
      - {type: other, meta_copy: x}
  - input: [wrong]
    expected:
      - {type: app, message: wrong, seen: right}
`)
	want := `=== app.yaml
ok   app.yaml:5: testcase 1 (line codec by default)
ok   app.yaml:10: testcase 2 (fields only)
FAIL app.yaml:14: testcase 3
    event 1 [seen]: expected "right", got "wrong"
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRunCodecs(t *testing.T) {
	got := runSuite(t, "codec.json", `{
  "codec": "json_lines",
  "testcases": [{"input": ["{\"[a][b]\": 1, \"message\": \"m\"}", "{\"c\": [1, 2]}"],
                 "expected": [{"a": {"b": 1}, "message": "m"}, {"c": [1, 2]}]}]
}`)
	if want := "=== codec.json\nok   codec.json:3: testcase 1\n"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRunInputPlugin(t *testing.T) {
	got := runSuite(t, "in.yaml", `
input_plugin: app_in
fields: {src: test}
testcases:
  - input: ['{"message": "m"}']
    expected:
      - {message: m, type: app, src: test, origin: tcp, tags: [from_test], seen: m}
`)
	if want := "=== in.yaml\nok   in.yaml:5: testcase 1\n"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRunSetupErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"missing.yaml", "input_plugin: nope\ntestcases: [{input: [a]}]\n",
			"missing.yaml:1:15: error: input_plugin: the config has no input with id \"nope\"\n"},
		{"codec.yaml", "codec: nosuchcodec\ntestcases: [{input: [a]}]\n", "codec.yaml:1:8: error: "},
		{"syntax.yaml", "codec: 'line {'\ntestcases: [{input: [a]}]\n", "syntax.yaml:1:8: error: codec \"line {\" is not a valid codec setting"},
		{"tags.yaml", "fields: {tags: {a: 1}}\ntestcases: [{input: [a]}]\n", "tags.yaml:2:13: error: testcase 1: Could not set the reserved tags field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runSuite(t, tt.name, tt.src); !strings.HasPrefix(got, "=== "+tt.name+"\n"+tt.want) {
				t.Errorf("got:\n%s\nwant prefix:\n%s", got, tt.want)
			}
		})
	}
}

func TestRunInputPluginDecodesEachEntry(t *testing.T) {
	got := runSuite(t, "entries.json", `{
  "input_plugin": "other",
  "testcases": [{"input": ["two\nlines", "three"],
                 "expected": [{"message": "two\nlines"}, {"message": "three"}]}]
}`)
	if want := "=== entries.json\nok   entries.json:3: testcase 1\n"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
