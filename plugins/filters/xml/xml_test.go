package xml

import (
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

type O = filtertest.Options

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
			f := filtertest.MustNew(t, "xml", O{"source": "message", "target": "doc"})
			e := filtertest.Event(t, c.in)
			matched, _ := filtertest.Run(f, e)
			if got := filtertest.Data(e); got != c.want || matched != c.matched {
				t.Errorf("got %s (matched %v), want %s (matched %v)", got, matched, c.want, c.matched)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for name, opts := range map[string]O{
		"store_xml needs a target": {"source": "m"},
		"unknown parse option":     {"source": "m", "target": "t", "parse_options": "strict, bogus"},
		"bad XPath":                {"source": "m", "target": "t", "xpath": filtertest.Hash{"//[", "x"}},
	} {
		if _, err := filtertest.New("xml", opts, ""); err == "" {
			t.Errorf("%s: want a config error", name)
		}
	}
	if _, err := filtertest.New("xml", O{"source": "m", "target": "t", "parse_options": "STRICT|no_blanks"}, ""); err != "" {
		t.Errorf("known parse options: %s", err)
	}
}

func TestNoMatchNoDecoration(t *testing.T) {
	f := filtertest.MustNew(t, "xml", O{"source": "message", "store_xml": false, "xpath": filtertest.Hash{"/a/b", "b"}})
	e := filtertest.Event(t, `{"message":"<a><c/></a>"}`)
	if matched, _ := filtertest.Run(f, e); matched {
		t.Errorf("an XPath that finds nothing must not match: %s", filtertest.Data(e))
	}
}
