package lfv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// writeTree writes files (name to text) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runPipelines runs a suite against the pipelines of a pipelines.yml and
// returns the verbose report followed by the diagnostics.
func runPipelines(t *testing.T, files map[string]string, opts Options, suite string) string {
	t.Helper()
	dir := writeTree(t, files)
	pipelines, sources, diags := LoadPipelines(filepath.Join(dir, "pipelines.yml"), "", lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(sources))
	}
	ps := plugin.DefaultPipelineSettings(1)
	ps.ECSCompatibility = "disabled"
	r, diags := NewRunner(pipelines, &plugin.BuildContext{Pipeline: ps}, opts)
	if diags.HasErrors() {
		return diags.Format(nil)
	}
	s := mustParse(t, "t.yaml", suite)
	results, diags := r.Run(s)
	var b strings.Builder
	rep := &Reporter{W: &b, Verbose: true}
	rep.Suite(s, results)
	b.WriteString(diags.Format(nil))
	return strings.ReplaceAll(b.String(), dir+string(filepath.Separator), "")
}

func TestDaemonFollowsPipelineOutputs(t *testing.T) {
	files := map[string]string{
		"pipelines.yml": "- pipeline.id: a\n  path.config: a.conf\n- pipeline.id: b\n  path.config: b.conf\n",
		"a.conf": `input { http { id => "in" } }
filter { mutate { add_tag => ["a"] } }
output {
  pipeline { send_to => ["b"] }
  if [message] == "twice" { pipeline { send_to => "b" } }
}`,
		"b.conf": `input { pipeline { address => "b" add_field => { "via" => "b" } } }
output { stdout { id => "out-b" } }`,
	}
	got := runPipelines(t, files, Options{}, `
input_plugin: in
export_outputs: true
testcases:
  - input: [once, twice]
    expected:
      - {__lfv_out_passed: out_b, message: once, tags: [a], via: b}
      - {__lfv_out_passed: out_b, message: twice, tags: [a], via: b}
      - {__lfv_out_passed: out_b, message: twice, tags: [a], via: b}
`)
	if want := "=== t.yaml\nok   t.yaml:5: testcase 1\n"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestDaemonSetupErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		suite string
		want  string
	}{
		{"no receiver", map[string]string{
			"pipelines.yml": "- pipeline.id: a\n  path.config: a.conf\n",
			"a.conf":        `input { http { id => "in" } } output { pipeline { send_to => "nowhere" } stdout {} }`,
		}, "input_plugin: in\ntestcases: [{input: [x]}]\n",
			`a.conf:1:62: error: no pipeline input has the address "nowhere"; Logstash would wait for one forever`},
		{"circle", map[string]string{
			"pipelines.yml": "- pipeline.id: a\n  path.config: a.conf\n",
			"a.conf":        `input { http { id => "in" } pipeline { address => "loop" } } output { pipeline { send_to => "loop" } stdout {} }`,
		}, "input_plugin: in\ntestcases: [{input: [x]}]\n",
			"error: an event went through 64 pipelines: the pipelines send events to each other in a circle"},
		{"output without id", map[string]string{
			"pipelines.yml": "- pipeline.id: a\n  path.config: a.conf\n",
			"a.conf":        `input { http { id => "in" } } output { stdout {} }`,
		}, "input_plugin: in\nexport_outputs: true\ntestcases: [{input: [x]}]\n",
			"a.conf:1:40: error: stdout output without an id: LFV reports the id of the output an event left by; give it one, or run with --add-missing-id"},
		{"no outputs", map[string]string{
			"pipelines.yml": "- pipeline.id: a\n  path.config: a.conf\n",
			"a.conf":        `input { http { id => "in" } } filter { mutate {} }`,
		}, "input_plugin: in\ntestcases: [{input: [x]}]\n",
			"t.yaml:1:15: error: input_plugin: the config has no outputs; LFV compares the events its outputs receive"},
		{"pipeline input named", map[string]string{
			"pipelines.yml": "- pipeline.id: a\n  path.config: a.conf\n",
			"a.conf":        `input { pipeline { id => "p" address => "in" } } output { stdout {} }`,
		}, "input_plugin: in\ntestcases: [{input: [x]}]\n",
			`t.yaml:1:15: error: input_plugin: "in" is the address of a pipeline input`},
		{"standalone with two pipelines", map[string]string{
			"pipelines.yml": "- pipeline.id: a\n  path.config: a.conf\n- pipeline.id: b\n  path.config: a.conf\n",
			"a.conf":        `filter { mutate {} }`,
		}, "testcases: [{input: [x]}]\n",
			"t.yaml:1:1: error: this file has no input_plugin, and the config has 2 pipelines: name the input its lines enter by"},
		{"duplicate ids", map[string]string{
			"pipelines.yml": "- pipeline.id: a\n  path.config: a.conf\n",
			"a.conf":        `input { http { id => "x" } } output { stdout { id => "x" } }`,
		}, "testcases: []\n",
			`a.conf:1:54: error: Config has duplicate Ids: ["x"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runPipelines(t, tt.files, Options{}, tt.suite); !strings.Contains(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestDaemonDebugAndMetadataKey(t *testing.T) {
	files := map[string]string{
		"pipelines.yml": "- pipeline.id: a\n  path.config: a.conf\n",
		"a.conf": `input { http { id => "in" tags => ["__lfv_x", "t"] } }
filter { mutate { add_field => { "[@metadata][m]" => "v" } } }
output { stdout { id => "o" } }`,
	}
	suite := `
input_plugin: in
export_metadata: true
testcases:
  - input: [x]
    expected:
      - {message: x, tags: [t], meta: {data: {m: v}}}
`
	if got := runPipelines(t, files, Options{MetadataKey: "meta.data"}, suite); got != "=== t.yaml\nok   t.yaml:5: testcase 1\n" {
		t.Errorf("without --debug:\n%s", got)
	}
	suite = strings.Replace(suite, "{message: x, tags: [t],", `{__lfv_id: "0", __lfv_out_passed: o, message: x, tags: [__lfv_x, t],`, 1)
	if got := runPipelines(t, files, Options{Debug: true, MetadataKey: "meta.data"}, suite); got != "=== t.yaml\nok   t.yaml:5: testcase 1\n" {
		t.Errorf("with --debug:\n%s", got)
	}
}

func TestLoadPipelinesErrors(t *testing.T) {
	tests := []struct{ yml, want string }{
		{"", "pipelines.yml:1:1: error: pipelines.yml defines no pipeline"},
		{"- pipeline.id: a\n", "pipelines.yml:1:3: error: a pipelines.yml entry needs pipeline.id and path.config"},
		{"- pipeline.id: a\n  config.string: 'input {}'\n  path.config: x\n", "pipelines.yml:2:3: error: config.string: LFV tests the config files of path.config"},
		{"- pipeline.id: a\n  path.config: a.conf\n  pipeline.wrokers: 2\n", `pipelines.yml:3:3: error: unknown pipeline setting "pipeline.wrokers"`},
		{"- pipeline.id: a\n  path.config: a.conf\n- pipeline.id: a\n  path.config: a.conf\n", `pipelines.yml:3:16: error: pipeline id "a" is used twice (first at line 1)`},
		{"- pipeline.id: a\n  path.config: none/*.conf\n", `pipelines.yml:2:16: error: path.config`},
		{"- pipeline.id: a\n  path.config: a.conf\n  pipeline.ecs_compatibility: v2\n", `pipelines.yml:3:31: error: pipeline.ecs_compatibility must be disabled, v1 or v8, not "v2"`},
	}
	for _, tt := range tests {
		dir := writeTree(t, map[string]string{"pipelines.yml": tt.yml, "a.conf": "filter {}"})
		_, _, diags := LoadPipelines(filepath.Join(dir, "pipelines.yml"), "", lang.ParseOptions{})
		if got := strings.ReplaceAll(diags.Format(nil), dir+string(filepath.Separator), ""); !diags.HasErrors() || !strings.Contains(got, tt.want) {
			t.Errorf("%q: %s\nwant %s", tt.yml, got, tt.want)
		}
	}
}

func TestAddMissingIDs(t *testing.T) {
	dir := writeTree(t, map[string]string{"conf/main-1.conf": `input { a {} b { id => "b" } } filter { if [x] { c {} } else { d {} } } output { e {} }`})
	configs, _, diags := lang.LoadPath(filepath.Join(dir, "conf", "*.conf"), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	AddMissingIDs(&Pipeline{Configs: configs, Base: dir})
	var ids []string
	for _, sec := range configs[0].Sections {
		walkPlugins(sec.Body, func(p *lang.Plugin) { ids = append(ids, pluginID(p)) })
	}
	want := "id_missing__conf_main_1_conf_0001 b id_missing__conf_main_1_conf_0003 id_missing__conf_main_1_conf_0004 id_missing__conf_main_1_conf_0005"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("ids: %s\nwant: %s", got, want)
	}
}

func TestQuoteLikeLFV(t *testing.T) {
	tests := []struct {
		line, quoted string
	}{
		{`plain`, `"plain"`},
		{`say "hi"`, `'say "hi"'`},
		{`a \" b`, `"a \" b"`},
		{`it's "x"`, `'it\'s "x"'`},
		{`'a' "b"`, `'\'a\' "b"'`},
		{`x'y "z"`, `'x'y "z"'`}, // LFV leaves a quote in second place alone
		{`"first`, `""first"`},
	}
	for _, tt := range tests {
		got, ok := quoteLine(tt.line, '"')
		if !ok {
			got = "'" + escapeQuotes(tt.line, '\'') + "'"
		}
		if got != tt.quoted {
			t.Errorf("%s quoted as %s, want %s", tt.line, got, tt.quoted)
		}
	}
}

func TestDropLFVTags(t *testing.T) {
	tests := []struct{ tags, want string }{
		{`["a", "__lfv_x", "b"]`, `{"tags":["a","b"]}`},
		{`["__lfv_x"]`, `{}`},
		{`[]`, `{}`},
		{`"one"`, `{"tags":["one"]}`},
		{`[1, "__lfv_"]`, `{"tags":["1"]}`},
	}
	for _, tt := range tests {
		v, err := event.DecodeJSON([]byte(`{"tags": ` + tt.tags + `}`))
		if err != nil {
			t.Fatal(err)
		}
		m := v.(*event.Map)
		dropLFVTags(m)
		if got := renderValue(m); got != tt.want {
			t.Errorf("tags %s: %s, want %s", tt.tags, got, tt.want)
		}
	}
}
