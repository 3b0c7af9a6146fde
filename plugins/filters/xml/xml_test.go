package xml

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// The rules of logstash-filter-xml 4.3.2's filter method around the
// parsers (the parsers' own output is checked against Nokogiri and
// XmlSimple by the testcases, see scripts/golden/xml-filter.rb).
func TestSourceValues(t *testing.T) {
	cases := []struct {
		name, in, want string
		matched        bool
	}{
		{"missing source", `{"other":1}`, `{"other":1}`, false},
		{"blank source", `{"message":"  "}`, `{"message":"  "}`, false},
		{"one-element list", `{"message":["<a>x</a>"]}`, `{"message":["<a>x</a>"],"doc":"x"}`, true},
		{"longer list", `{"message":["<a/>","<b/>"]}`, `{"message":["<a/>","<b/>"],"tags":["_xmlparsefailure"]}`, false},
		{"not a string", `{"message":5}`, `{"message":5,"tags":["_xmlparsefailure"]}`, false},
		{"not XML", `{"message":"<a>"}`, `{"message":"<a>","tags":["_xmlparsefailure"]}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustFilter(t, "xml", O{"source": "message", "target": "doc"})
			e := plugintest.Event(t, c.in)
			matched, _ := f.Call(e)
			if got := plugintest.Data(e); got != c.want || matched != c.matched {
				t.Errorf("got %s (matched %v), want %s (matched %v)", got, matched, c.want, c.matched)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for name, opts := range map[string]O{
		"store_xml needs a target": {"source": "m"},
		"unknown parse option":     {"source": "m", "target": "t", "parse_options": "strict, bogus"},
		"bad XPath":                {"source": "m", "target": "t", "xpath": H{"//[", "x"}},
	} {
		if _, err := newFilter(t, "xml", opts, ""); err == "" {
			t.Errorf("%s: want a config error", name)
		}
	}
	if _, err := newFilter(t, "xml", O{"source": "m", "target": "t", "parse_options": "STRICT|no_blanks"}, ""); err != "" {
		t.Errorf("known parse options: %s", err)
	}
}

func TestNoMatchNoDecoration(t *testing.T) {
	f := mustFilter(t, "xml", O{"source": "message", "store_xml": false, "xpath": H{"/a/b", "b"}})
	e := plugintest.Event(t, `{"message":"<a><c/></a>"}`)
	if matched, _ := f.Call(e); matched {
		t.Errorf("an XPath that finds nothing must not match: %s", plugintest.Data(e))
	}
}

// O are a filter block's options: values are strings, numbers, booleans,
// lists ([]any) and hashes (H).
type O map[string]any

// H is a config hash: key, value, key, value...
type H []any

func confValue(v any) string {
	switch t := v.(type) {
	case string:
		return plugintest.Quote(t)
	case int:
		return fmt.Sprint(t)
	case float64:
		return fmt.Sprint(t)
	case bool:
		return fmt.Sprint(t)
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = confValue(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case H:
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i+1 < len(t); i += 2 {
			b.WriteString(" " + confValue(t[i]) + " => " + confValue(t[i+1]))
		}
		return b.String() + " }"
	}
	panic(fmt.Sprintf("unsupported option value %T", v))
}

// filterText is the filter block with opts, in key order.
func filterText(name string, opts O) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name + " {")
	for _, k := range keys {
		b.WriteString(" " + k + " => " + confValue(opts[k]))
	}
	return b.String() + " }"
}

// newFilter builds the filter, or returns its config error as text.
func newFilter(t *testing.T, name string, opts O, ecs string) (*plugintest.BuiltFilter, string) {
	t.Helper()
	f, err := plugintest.TryFilter(t, filterText(name, opts), plugintest.ECS(ecs))
	if err != nil {
		return nil, err.Error()
	}
	return f, ""
}

func mustFilter(t *testing.T, name string, opts O) *plugintest.BuiltFilter {
	t.Helper()
	return plugintest.Filter(t, filterText(name, opts))
}
