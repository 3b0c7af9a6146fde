// Package lfv runs Logstash Filter Verifier test case files against a
// Logstash config in-process: each test case's input lines are decoded by
// the test's codec, given the test's fields, run through the config's
// filters and compared with the expected events.
//
// Files are read the way Logstash Filter Verifier (LFV) reads them: JSON or
// YAML objects with codec, fields, ignore, input_plugin, export_metadata,
// export_outputs and testcases (input, expected, description, fields).
// `[a][b]` keys in fields (and in json_lines input lines) are expanded into
// nested objects; in expected events they are literal keys, as LFV
// compares them. gostash also reads a file-level description.
package lfv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
)

// Suite is one test case file.
type Suite struct {
	File        string
	Description string

	// Codec is the codec configuration the input lines are decoded with,
	// as config text (`line`, `json_lines`, `plain { charset => "..." }`);
	// CodecAt is where the file sets it (the whole file when it does not).
	Codec   string
	CodecAt lang.Range

	// InputPlugin, when set, names the config's input whose codec and
	// type/tags/add_field options apply instead of Codec.
	InputPlugin   string
	InputPluginAt lang.Range

	ExportMetadata bool
	// ExportOutputs adds the id of the output an event left by, as
	// __lfv_out_passed.
	ExportOutputs bool
	Fields        *event.Map
	Ignore        [][]string
	Cases         []*Case
}

// Case is one entry of a file's testcases.
type Case struct {
	Index       int // 1-based
	Pos         lang.Pos
	End         lang.Pos
	Description string
	Input       []string
	InputAt     []lang.Range // where each input line is written
	// Fields are the case's own fields over the file's, replacing
	// top-level keys.
	Fields   *event.Map
	Expected []*node
}

// Name is how reports refer to the case: its number and description.
func (c *Case) Name() string {
	if c.Description == "" {
		return fmt.Sprintf("testcase %d", c.Index)
	}
	return fmt.Sprintf("testcase %d (%s)", c.Index, c.Description)
}

// Span is the testcase's text in the file.
func (c *Case) Span() lang.Range { return lang.Range{Start: c.Pos, End: c.End} }

// Discover lists the test case files a path names: the file itself, or the
// .json, .yaml and .yml files directly inside a directory, sorted.
func Discover(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && isTestFile(e.Name()) {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	return files, nil
}

func isTestFile(name string) bool {
	switch filepath.Ext(name) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// Load reads and checks a test case file. Warnings (keys LFV would ignore)
// come back with the suite; on errors the suite is nil. The map holds the
// file's text by name, for rendering the diagnostics.
func Load(path string) (*Suite, map[string][]byte, lang.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, map[string][]byte{}, lang.Diagnostics{lang.Errorf(lang.Pos{File: path}, "%v", err)}
	}
	src = text(path, src)
	s, diags := Parse(path, src)
	return s, map[string][]byte{path: src}, diags
}

// text is the part of a test case file that positions count in: a JSON
// file without the byte order mark an editor on Windows may start it
// with, which JSON does not allow.
func text(name string, src []byte) []byte {
	if filepath.Ext(name) == ".json" {
		return bytes.TrimPrefix(src, []byte("\uFEFF"))
	}
	return src
}

// Parse reads a test case file's text; the name's extension selects JSON
// (.json) or YAML (.yaml, .yml).
func Parse(name string, src []byte) (*Suite, lang.Diagnostics) {
	l := newLocator(name, text(name, src))
	var root *node
	var d *lang.Diagnostic
	switch filepath.Ext(name) {
	case ".json":
		root, d = parseJSON(l)
	case ".yaml", ".yml":
		root, d = parseYAML(l)
	default:
		return nil, lang.Diagnostics{lang.Errorf(lang.Pos{File: name}, "a test case file must be .json, .yaml or .yml")}
	}
	if d != nil {
		return nil, lang.Diagnostics{d}
	}
	r := &reader{l: l, yaml: filepath.Ext(name) != ".json"}
	s := r.suite(root)
	if r.diags.HasErrors() {
		return nil, r.diags
	}
	return s, r.diags
}

// reader turns the parsed file into a Suite, collecting located problems.
type reader struct {
	l     *locator
	yaml  bool
	diags lang.Diagnostics
}

func (r *reader) errorf(at lang.Located, format string, args ...any) {
	r.diags = append(r.diags, lang.Errorf(at, format, args...))
}

func (r *reader) warnf(at lang.Located, format string, args ...any) {
	r.diags = append(r.diags, lang.Warnf(at, format, args...))
}

func (r *reader) suite(root *node) *Suite {
	s := &Suite{File: r.l.file, Codec: "line", CodecAt: root.Span(), Fields: event.NewMap(0)}
	if root.kind != objectKind {
		r.errorf(root, "a test case file holds one object, not %s", root.kind)
		return s
	}
	var exportOutputs, codec *node
	for i, key := range root.keys {
		v := root.items[i]
		switch key.str {
		case "codec":
			s.Codec, s.CodecAt, codec = r.str(v, "codec"), v.Span(), v
		case "description":
			s.Description = r.str(v, "description")
		case "fields":
			s.Fields = r.fields(v)
		case "ignore":
			for _, it := range r.list(v, "ignore") {
				if f := r.str(it, "an ignore entry"); f != "" {
					s.Ignore = append(s.Ignore, fieldPath(f))
				}
			}
		case "input_plugin":
			s.InputPlugin, s.InputPluginAt = r.str(v, "input_plugin"), v.Span()
		case "export_metadata":
			s.ExportMetadata = r.boolean(v, "export_metadata")
		case "export_outputs":
			s.ExportOutputs = r.boolean(v, "export_outputs")
			if s.ExportOutputs {
				exportOutputs = v
			}
		case "testcases":
			for j, tc := range r.list(v, "testcases") {
				if c := r.testcase(tc, j+1); c != nil {
					s.Cases = append(s.Cases, c)
				}
			}
		case "input", "expected":
			r.errorf(key, "%q at the top level is the old test case file format; put input and expected events in objects under \"testcases\"", key.str)
		default:
			r.warnf(key, "unknown key %q is ignored", key.str)
		}
	}
	if codec != nil && s.InputPlugin != "" {
		r.warnf(codec, "codec is not used with input_plugin: the lines are decoded with that input's codec, as in LFV's daemon mode")
	}
	if exportOutputs != nil && s.InputPlugin == "" {
		r.errorf(exportOutputs, "export_outputs needs input_plugin: outputs are followed in LFV's daemon mode, where the lines enter by the named input")
	}
	if s.Codec == "json_lines" {
		for _, c := range s.Cases {
			for i, line := range c.Input {
				c.Input[i] = expandJSONLine(line)
			}
		}
	}
	return s
}

// expandJSONLine expands `[a][b]` keys of a JSON object line, as LFV does
// for the json_lines codec. Other lines are left for the codec to judge.
func expandJSONLine(line string) string {
	v, err := event.DecodeJSON([]byte(line))
	m, ok := v.(*event.Map)
	if err != nil || !ok || !hasBracketKey(m) {
		return line
	}
	return string(event.AppendJSON(nil, expandMap(m)))
}

func hasBracketKey(m *event.Map) bool {
	found := false
	m.Range(func(k string, v any) bool {
		sub, isMap := v.(*event.Map)
		found = bracketPath.MatchString(k) || isMap && hasBracketKey(sub)
		return !found
	})
	return found
}

// expandMap is expand for decoded JSON: `[a][b]` keys become nested
// objects; a key whose path runs into a non-object value stays as written.
func expandMap(m *event.Map) *event.Map {
	out := event.NewMap(m.Len())
	m.Range(func(k string, v any) bool {
		if sub, ok := v.(*event.Map); ok {
			v = expandMap(sub)
		}
		path := fieldPath(k)
		parent := out
		for _, p := range path[:len(path)-1] {
			next, ok := parent.Get(p)
			if !ok {
				next = event.NewMap(1)
				parent.Set(p, next)
			}
			if parent, ok = next.(*event.Map); !ok {
				out.Set(k, v)
				return true
			}
		}
		parent.Set(path[len(path)-1], v)
		return true
	})
	return out
}

func (r *reader) testcase(n *node, index int) *Case {
	c := &Case{Index: index, Pos: n.pos, End: n.end, Fields: event.NewMap(0)}
	if n.kind != objectKind {
		r.errorf(n, "a testcase must be an object, not %s", n.kind)
		return nil
	}
	for i, key := range n.keys {
		v := n.items[i]
		switch key.str {
		case "input":
			for _, line := range r.list(v, "input") {
				c.Input = append(c.Input, r.str(line, "an input line"))
				c.InputAt = append(c.InputAt, line.Span())
			}
		case "expected":
			for _, e := range r.list(v, "expected") {
				if e.kind != objectKind {
					r.errorf(e, "an expected event must be an object, not %s", e.kind)
					continue
				}
				r.warnBracketKeys(e)
				c.Expected = append(c.Expected, e)
			}
		case "description":
			c.Description = r.str(v, "description")
		case "fields":
			c.Fields = r.fields(v)
		default:
			r.warnf(key, "unknown key %q in a testcase is ignored", key.str)
		}
	}
	return c
}

// str reads a string. In YAML any scalar is text (`description: 42`), as
// YAML decoders fill string fields.
func (r *reader) str(n *node, what string) string {
	switch {
	case n.kind == stringKind:
		return n.str
	case r.yaml && (n.kind == numberKind || n.kind == boolKind):
		return n.str
	}
	r.errorf(n, "%s must be a string, not %s", what, n.kind)
	return ""
}

func (r *reader) boolean(n *node, what string) bool {
	if n.kind != boolKind {
		r.errorf(n, "%s must be true or false, not %s", what, n.kind)
	}
	return n.b
}

// list reads an array; null is an empty one.
func (r *reader) list(n *node, what string) []*node {
	switch n.kind {
	case arrayKind:
		return n.items
	case nullKind:
		return nil
	}
	r.errorf(n, "%s must be an array, not %s", what, n.kind)
	return nil
}

// fields reads a fields object into event values; null is no fields.
func (r *reader) fields(n *node) *event.Map {
	switch n.kind {
	case nullKind:
		return event.NewMap(0)
	case objectKind:
		return value(r.expand(n)).(*event.Map)
	}
	r.errorf(n, "fields must be an object, not %s", n.kind)
	return event.NewMap(0)
}

// bracketPath is a key made only of field reference brackets, `[a][b]`;
// LFV expands such keys into nested objects and takes any other key as is.
var (
	bracketPath  = regexp.MustCompile(`^(\[[^\[\],]+\])+$`)
	bracketField = regexp.MustCompile(`\[([^\[\],]+)\]`)
)

func fieldPath(key string) []string {
	if !bracketPath.MatchString(key) {
		return []string{key}
	}
	var path []string
	for _, m := range bracketField.FindAllStringSubmatch(key, -1) {
		path = append(path, m[1])
	}
	return path
}

// expand copies an object with `[a][b]` keys turned into nested objects, at
// every depth.
func (r *reader) expand(n *node) *node {
	switch n.kind {
	case arrayKind:
		out := &node{pos: n.pos, end: n.end, kind: arrayKind}
		for _, it := range n.items {
			out.items = append(out.items, r.expand(it))
		}
		return out
	case objectKind:
	default:
		return n
	}
	out := &node{pos: n.pos, end: n.end, kind: objectKind}
	for i, key := range n.keys {
		v := r.expand(n.items[i])
		path := fieldPath(key.str)
		parent := out
		for _, k := range path[:len(path)-1] {
			next := parent.get(k)
			if next == nil {
				next = &node{pos: key.pos, end: key.end, kind: objectKind}
				parent.set(&node{pos: key.pos, end: key.end, kind: stringKind, str: k}, next)
			} else if next.kind != objectKind {
				r.errorf(key, "%s: [%s] is already set to %s, it cannot hold fields", key.str, k, next.kind)
				parent = nil
				break
			}
			parent = next
		}
		if parent != nil {
			parent.set(&node{pos: key.pos, end: key.end, kind: stringKind, str: path[len(path)-1]}, v)
		}
	}
	return out
}

// warnBracketKeys warns about `[a][b]` keys in an expected event: LFV
// compares them as written, so such a key only matches a field whose name
// has the brackets, which is seldom what was meant.
func (r *reader) warnBracketKeys(n *node) {
	switch n.kind {
	case arrayKind:
		for _, it := range n.items {
			r.warnBracketKeys(it)
		}
	case objectKind:
		for i, key := range n.keys {
			if bracketPath.MatchString(key.str) {
				r.warnf(key, "expected events are compared as written: %q is a field named so, not a nested field; write nested objects for that, as LFV reads them", key.str)
			}
			r.warnBracketKeys(n.items[i])
		}
	}
}

// value converts a node into an event value.
func value(n *node) any {
	switch n.kind {
	case boolKind:
		return n.b
	case numberKind:
		return n.num
	case stringKind:
		return n.str
	case arrayKind:
		list := make([]any, len(n.items))
		for i, it := range n.items {
			list[i] = value(it)
		}
		return list
	case objectKind:
		m := event.NewMap(len(n.keys))
		for i, k := range n.keys {
			m.Set(k.str, value(n.items[i]))
		}
		return m
	}
	return nil
}

// mergedFields are the fields of a case's events: the file's, with the
// case's replacing top-level keys.
func (s *Suite) mergedFields(c *Case) *event.Map {
	m := s.Fields.Clone()
	c.Fields.Range(func(k string, v any) bool {
		m.Set(k, v)
		return true
	})
	return m
}
