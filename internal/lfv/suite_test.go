package lfv

import (
	"strings"
	"testing"
)

func TestParseErrorsAreLocated(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"bad.json", "{\n  \"ignore\": \"host\"\n}\n",
			"bad.json:2:13: error: ignore must be an array, not a string\n      \"ignore\": \"host\"\n                ^~~~~~\n"},
		{"syntax.json", "{\n  \"codec\": \"line\",\n  \"fields\": {\"a\": 1,}\n}\n",
			"syntax.json:3:21: error: invalid JSON: invalid character '}' looking for beginning of object key string\n      \"fields\": {\"a\": 1,}\n                        ^\n"},
		{"eof.json", "{\"testcases\": [", "eof.json:1:16: error: invalid JSON: unexpected end of file\n    {\"testcases\": [\n                   ^\n"},
		{"trailing.json", "{}\n{}\n", "trailing.json:2:1: error: invalid JSON: invalid character '{' after top-level value\n    {}\n    ^\n"},
		{"legacy.yaml", "input:\n  - a\n", "legacy.yaml:1:1: error: \"input\" at the top level is the old test case file format; put input and expected events in objects under \"testcases\"\n    input:\n    ^~~~~\n"},
		{"case.yml", "testcases:\n  - input: [a]\n    expected:\n      - 42\n",
			"case.yml:4:9: error: an expected event must be an object, not a number\n          - 42\n            ^~\n"},
		{"syntax.yaml", "testcases:\n  - input: [a\n    expected: b\n", "syntax.yaml:2:1: error: invalid YAML: did not find expected ',' or ']'\n      - input: [a\n"},
		{"block.yaml", "testcases:\n  - input: [a]\n    expected:\n      - a: 1\n      a: 2\n", "block.yaml:4:1: error: invalid YAML: did not find expected '-' indicator\n"},
		{"tab.yaml", "fields:\n  type: app\n\tbad: 1\n", "tab.yaml:2:1: error: invalid YAML: found a tab character that violates indentation\n"},
		{"metadata.yaml", "export_metadata: yes please\n", "metadata.yaml:1:18: error: export_metadata must be true or false, not a string\n"},
		{"outputs.json", `{"export_outputs": true}`, "outputs.json:1:20: error: export_outputs needs input_plugin"},
		{"list.json", `[]`, "list.json:1:1: error: a test case file holds one object, not an array\n"},
		{"conflict.json", `{"fields": {"a": 1, "[a][b]": 2}}`, "conflict.json:1:21: error: [a][b]: [a] is already set to a number, it cannot hold fields\n"},
		{"test.txt", `{}`, "test.txt: error: a test case file must be .json, .yaml or .yml\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, diags := Parse(tt.name, []byte(tt.src))
			if s != nil || !diags.HasErrors() {
				t.Fatalf("Parse accepted %q", tt.src)
			}
			if got := diags.Format(map[string][]byte{tt.name: []byte(tt.src)}); !strings.HasPrefix(got, tt.want) {
				t.Errorf("diagnostics:\n%s\nwant prefix:\n%s", got, tt.want)
			}
		})
	}
}

func TestParseJSONWithByteOrderMark(t *testing.T) {
	s, diags := Parse("bom.json", []byte("\uFEFF{\"codec\": \"json_lines\"}"))
	if s == nil || s.Codec != "json_lines" {
		t.Errorf("Parse: %v %s", s, diags.Format(nil))
	}
}

func TestParseUnknownKeysWarn(t *testing.T) {
	src := []byte(`{"comment": "x", "testcases": [{"input": ["a"], "note": 1}]}`)
	s, diags := Parse("w.json", src)
	if s == nil {
		t.Fatalf("Parse failed: %s", diags.Format(nil))
	}
	want := "w.json:1:2: warning: unknown key \"comment\" is ignored\n    {\"comment\": \"x\", \"testcases\": [{\"input\": [\"a\"], \"note\": 1}]}\n     ^~~~~~~~~\n" +
		"w.json:1:49: warning: unknown key \"note\" in a testcase is ignored\n    {\"comment\": \"x\", \"testcases\": [{\"input\": [\"a\"], \"note\": 1}]}\n                                                    ^~~~~~\n"
	if got := diags.Format(map[string][]byte{"w.json": src}); got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseReadsLFVFormat(t *testing.T) {
	yaml := `
description: the whole file
codec: json_lines
input_plugin: main_in
export_metadata: true
fields:
  type: syslog
  "[log][file][path]": /var/log/x
  tags: [a, b]
ignore:
  - host
  - "[log][offset]"
testcases:
  - description: first
    input:
      - 12
      - plain text
    fields:
      type: other
    expected:
      - message: plain text
        "[log][level]": info
        n: 1.5
  - input: []
    expected: []
`
	s, diags := Parse("full.yaml", []byte(yaml))
	if s == nil || diags.HasErrors() {
		t.Fatalf("Parse: %s", diags.Format(nil))
	}
	if got := diags.Format(nil); got != "full.yaml:22:9: warning: expected events are compared as written: \"[log][level]\" is a field named so, not a nested field; write nested objects for that, as LFV reads them\n"+
		"full.yaml:3:8: warning: codec is not used with input_plugin: the lines are decoded with that input's codec, as in LFV's daemon mode\n" {
		t.Errorf("warnings: %s", got)
	}
	if s.Description != "the whole file" || s.Codec != "json_lines" || s.InputPlugin != "main_in" || !s.ExportMetadata {
		t.Errorf("suite settings = %q %q %q %v", s.Description, s.Codec, s.InputPlugin, s.ExportMetadata)
	}
	if got := renderValue(s.Fields); got != `{"type":"syslog","log":{"file":{"path":"/var/log/x"}},"tags":["a","b"]}` {
		t.Errorf("fields = %s", got)
	}
	if len(s.Ignore) != 2 || strings.Join(s.Ignore[1], ".") != "log.offset" || s.Ignore[0][0] != "host" {
		t.Errorf("ignore = %q", s.Ignore)
	}
	if len(s.Cases) != 2 {
		t.Fatalf("%d cases", len(s.Cases))
	}
	c := s.Cases[0]
	if c.Name() != "testcase 1 (first)" || c.Pos.Line != 14 || strings.Join(c.Input, "|") != "12|plain text" {
		t.Errorf("case = %q line %d input %q", c.Name(), c.Pos.Line, c.Input)
	}
	if got := renderValue(s.mergedFields(c)); got != `{"type":"other","log":{"file":{"path":"/var/log/x"}},"tags":["a","b"]}` {
		t.Errorf("merged fields = %s", got)
	}
	if got := c.Expected[0].render(); got != `{"message":"plain text","[log][level]":"info","n":1.5}` {
		t.Errorf("expected = %s", got)
	}
	if s.Cases[1].Name() != "testcase 2" || len(s.Cases[1].Input) != 0 || len(s.Cases[1].Expected) != 0 {
		t.Errorf("second case = %+v", s.Cases[1])
	}
}

func TestParseYAMLAnchorsAndMerges(t *testing.T) {
	src := `
base: &base
  type: app
  env: prod
testcases:
  - input: [x]
    expected:
      - <<: *base
        env: test
        message: x
      - *base
`
	s, diags := Parse("anchors.yml", []byte(src))
	if s == nil {
		t.Fatalf("Parse: %s", diags.Format(nil))
	}
	got := s.Cases[0].Expected[0].render() + " " + s.Cases[0].Expected[1].render()
	if want := `{"type":"app","env":"test","message":"x"} {"type":"app","env":"prod"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestValueSpans: values of both formats know the text they were written
// as, so that diagnostics underline it.
func TestValueSpans(t *testing.T) {
	yamlSrc := "a: \"x \\\" y\"\nb: 'it''s'\nc: plain text\nd: [1, {e: f}]\ng: {}\nh: &anchor v\ni: *anchor\nj: |\n  block\nk:\n  - one\n  - 2\n"
	jsonSrc := `{"a": "x", "b": [1, {"c": null}], "d": {}}`
	for _, c := range []struct {
		name, src string
		want      map[string]string // key: text of its value ("" for no end)
	}{
		{"v.yaml", yamlSrc, map[string]string{"a": `"x \" y"`, "b": `'it''s'`, "c": "plain text", "d": "[1, {e: f}]",
			"g": "{}", "h": "", "i": "*anchor", "j": "", "k": "- one\n  - 2"}},
		{"v.json", jsonSrc, map[string]string{"a": `"x"`, "b": `[1, {"c": null}]`, "d": "{}"}},
	} {
		l := newLocator(c.name, []byte(c.src))
		var root *node
		var d error
		if c.name == "v.json" {
			root, d = parseJSONForTest(l)
		} else {
			root, d = parseYAMLForTest(l)
		}
		if d != nil {
			t.Fatalf("%s: %v", c.name, d)
		}
		for i, k := range root.keys {
			if text := string(l.src[k.pos.Offset:k.end.Offset]); text != k.str && text != `"`+k.str+`"` {
				t.Errorf("%s: key %s covers %q", c.name, k.str, text)
			}
			v := root.items[i]
			got := ""
			if v.end.Line != 0 {
				got = string(l.src[v.pos.Offset:v.end.Offset])
			}
			if got != c.want[k.str] {
				t.Errorf("%s: value of %s covers %q, want %q", c.name, k.str, got, c.want[k.str])
			}
		}
	}
}

func parseJSONForTest(l *locator) (*node, error) {
	n, d := parseJSON(l)
	if d != nil {
		return nil, d
	}
	return n, nil
}

func parseYAMLForTest(l *locator) (*node, error) {
	n, d := parseYAML(l)
	if d != nil {
		return nil, d
	}
	return n, nil
}
