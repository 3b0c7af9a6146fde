// Package xml is Logstash's xml filter: it picks values out of an XML
// field with XPath expressions, and stores the whole document as a hash
// the way XmlSimple reads it.
package xml

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// parseOptionNames are Nokogiri's XML parse options, as parse_options
// names them (case and underscores aside).
var parseOptionNames = map[string]bool{
	"STRICT": true, "RECOVER": true, "NOENT": true, "DTDLOAD": true, "DTDATTR": true, "DTDVALID": true,
	"NOERROR": true, "NOWARNING": true, "PEDANTIC": true, "NOBLANKS": true, "SAX1": true, "XINCLUDE": true,
	"NONET": true, "NODICT": true, "NSCLEAN": true, "NOCDATA": true, "NOXINCNODE": true, "COMPACT": true,
	"OLD10": true, "NOBASEFIX": true, "HUGE": true, "BIG_LINES": true, "BIGLINES": true, "DEFAULT_XML": true,
	"DEFAULTXML": true, "DEFAULT_XSLT": true, "DEFAULTXSLT": true, "DEFAULT_HTML": true, "DEFAULTHTML": true,
	"DEFAULT_SCHEMA": true, "DEFAULTSCHEMA": true,
}

var (
	optSource           = plugin.String("source").Required().Doc("The field holding the XML text.")
	optTarget           = plugin.String("target").Doc("Where the whole document goes as a hash (required when `store_xml` is true).")
	optXPath            = plugin.Hash("xpath").Default(event.NewMap(0)).Doc("XPath expression → field: each expression's results, as text, go to the field (a list unless `force_array` is false and there is one).").Example(`{ "/root/item/@id" => "item_ids" }`)
	optParseOptions     = plugin.String("parse_options").Validate(checkParseOptions).Doc("Nokogiri parse options, separated by `,` or `|` (such as `strict`); an unknown one is a config error.")
	optStoreXML         = plugin.Bool("store_xml").Default(true).Doc("Store the whole document under `target`.")
	optForceArray       = plugin.Bool("force_array").Default(true).Doc("Make every element value (and a single XPath result) a list.")
	optForceContent     = plugin.Bool("force_content").Default(false).Doc("Store an element's text under `content` even when it has no attributes.")
	optNamespaces       = plugin.Hash("namespaces").Default(event.NewMap(0)).Doc("Prefix → namespace URI, for the XPath expressions.")
	optRemoveNamespaces = plugin.Bool("remove_namespaces").Default(false).Doc("Drop namespaces from the document before the XPath expressions run.")
	optSuppressEmpty    = plugin.Bool("suppress_empty").Default(true).Doc("Leave empty elements out of the stored document.")
)

func checkParseOptions(v string) error {
	for _, opt := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '|' }) {
		name := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(opt), "_", ""))
		if name != "" && !parseOptionNames[name] {
			return fmt.Errorf("unsupported parse option: %s", ruby.Inspect(opt))
		}
	}
	return nil
}

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "xml",
			Summary: "Reads XML: values picked with XPath, and the whole document as a hash.",
			Options: []plugin.Declared{optSource, optTarget, optXPath, optParseOptions, optStoreXML, optForceArray,
				optForceContent, optNamespaces, optRemoveNamespaces, optSuppressEmpty},
			Examples: []plugin.Example{{
				Title: "Store an XML document and pick attributes with XPath",
				Config: `input { stdin { } }
filter {
  xml { source => "message" target => "order" xpath => { "/order/item/@sku" => "skus" } }
  mutate { remove_field => ["message", "event", "host", "@version", "@timestamp"] }
}
output { stdout { codec => json_lines } }
`,
				Input:  `<order id="7"><item sku="a-1">Widget</item><item sku="b-2">Gadget</item></order>` + "\n",
				Output: `{"skus":["a-1","b-2"],"order":{"id":"7","item":[{"sku":"a-1","content":"Widget"},{"sku":"b-2","content":"Gadget"}]}}` + "\n",
			}},
		},
		New: newXML,
	})
}

// ParseFailureTag marks an event whose source is not usable XML.
const ParseFailureTag = "_xmlparsefailure"

type xpathTarget struct {
	src  string
	expr *xpath.Expr
	dest string
}

type xmlFilter struct {
	log              *slog.Logger
	source           event.FieldRef
	sourceName       string
	target           string
	xpaths           []xpathTarget
	storeXML         bool
	forceArray       bool
	removeNamespaces bool
	simple           simpleOptions
}

func newXML(s *plugin.Settings) (plugin.Filter, error) {
	f := &xmlFilter{log: s.Logger(), sourceName: optSource.Get(s), target: optTarget.Get(s), storeXML: optStoreXML.Get(s),
		forceArray: optForceArray.Get(s), removeNamespaces: optRemoveNamespaces.Get(s),
		simple: simpleOptions{forceArray: optForceArray.Get(s), forceContent: optForceContent.Get(s), suppressEmpty: optSuppressEmpty.Get(s)}}
	var err error
	if f.source, err = event.ParseFieldRef(f.sourceName); err != nil {
		return nil, optSource.Errorf(s, "%v", err)
	}
	if f.storeXML && f.target == "" {
		return nil, optTarget.Errorf(s, "When the 'store_xml' configuration option is true, 'target' must also be set")
	}
	ns := map[string]string{}
	optNamespaces.Get(s).Range(func(k string, v any) bool {
		ns[k] = event.ValueString(v)
		return true
	})
	optXPath.Get(s).Range(func(src string, dest any) bool {
		var expr *xpath.Expr
		expr, err = xpath.CompileWithNS(src, ns)
		if err != nil {
			err = optXPath.Errorf(s, "invalid XPath expression %q: %v", src, err)
			return false
		}
		f.xpaths = append(f.xpaths, xpathTarget{src: src, expr: expr, dest: event.ValueString(dest)})
		return true
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Filter parses the source and applies the XPath expressions, then stores
// the document. A missing, empty or blank source does nothing; a list of
// other than one string, a value that is not text or XML that does not
// parse is tagged _xmlparsefailure. The filter matches when an expression
// found something or the document was stored.
func (f *xmlFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	value, ok := e.GetRef(f.source)
	if !ok || value == nil || value == false {
		return false
	}
	if l, isList := value.([]any); isList {
		if len(l) != 1 {
			e.Tag(ParseFailureTag)
			f.log.Warn("XML filter expects single item array", slog.String("source", f.sourceName), slog.String("value", ruby.Inspect(value)))
			return false
		}
		value = l[0]
	}
	text, ok := value.(string)
	if !ok {
		e.Tag(ParseFailureTag)
		f.log.Warn(fmt.Sprintf("XML filter expects a string but received a %s", rubyClass(value)), slog.String("source", f.sourceName), slog.String("value", ruby.Inspect(value)))
		return false
	}
	if strings.TrimSpace(text) == "" {
		return false
	}
	doc, err := xmlquery.Parse(strings.NewReader(text))
	if err != nil {
		e.Tag(ParseFailureTag)
		f.log.Warn("Error parsing xml", slog.String("source", f.sourceName), slog.String("value", text), slog.String("exception", err.Error()))
		return false
	}
	matched := false
	if len(f.xpaths) > 0 {
		if f.removeNamespaces {
			stripNamespaces(doc)
		}
		for _, x := range f.xpaths {
			data := f.evaluate(x, doc)
			if len(data) > 0 {
				matched = true
			}
			switch {
			case len(data) == 1 && !f.forceArray:
				_ = e.Set(x.dest, data[0])
			case len(data) > 0:
				_ = e.Set(x.dest, data)
			}
		}
	}
	if f.storeXML {
		root := documentElement(doc)
		if root == nil {
			e.Tag(ParseFailureTag)
			f.log.Warn("Error parsing xml with XmlSimple", slog.String("source", f.sourceName), slog.String("value", text), slog.String("exception", "no root element"))
			return false
		}
		if f.removeNamespaces && len(f.xpaths) > 0 {
			// XmlSimple reads the text again, namespaces and all.
			if doc, err = xmlquery.Parse(strings.NewReader(text)); err == nil {
				root = documentElement(doc)
			}
		}
		if err := e.Set(f.target, simple(root, f.simple)); err != nil {
			e.Tag(ParseFailureTag)
			f.log.Warn("XML Parse Error", slog.String("exception", err.Error()), slog.String("source", f.sourceName), slog.String("value", text))
			return false
		}
		matched = true
	}
	return matched
}

func rubyClass(v any) string {
	switch v.(type) {
	case int64:
		return "Integer"
	case float64:
		return "Float"
	case bool:
		return "TrueClass"
	case *event.Map:
		return "Hash"
	case event.Timestamp:
		return "LogStash::Timestamp"
	}
	return fmt.Sprintf("%T", v)
}

func documentElement(doc *xmlquery.Node) *xmlquery.Node {
	for c := doc.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode {
			return c
		}
	}
	return nil
}

// evaluate runs one expression: each node as Nokogiri prints it, or the
// number, string or true an expression gives (false gives nothing).
func (f *xmlFilter) evaluate(x xpathTarget, doc *xmlquery.Node) []any {
	var data []any
	switch r := x.expr.Evaluate(xmlquery.CreateXPathNavigator(doc)).(type) {
	case *xpath.NodeIterator:
		for r.MoveNext() {
			nav, ok := r.Current().(*xmlquery.NodeNavigator)
			if !ok {
				continue
			}
			if nav.NodeType() == xpath.AttributeNode {
				data = append(data, nav.Value())
				continue
			}
			data = append(data, nodeString(nav.Current()))
		}
	case float64:
		data = append(data, ruby.FloatToS(r))
	case string:
		data = append(data, r)
	case bool:
		if r {
			data = append(data, "true")
		}
	default:
		if r != nil {
			data = append(data, fmt.Sprint(r))
		}
	}
	return data
}

// stripNamespaces is Nokogiri's remove_namespaces!: element and attribute
// names lose their namespaces, and namespace declarations go.
func stripNamespaces(n *xmlquery.Node) {
	for c := n; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode {
			c.Prefix, c.NamespaceURI = "", ""
			attrs := c.Attr[:0]
			for _, a := range c.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				a.Name.Space, a.NamespaceURI = "", ""
				attrs = append(attrs, a)
			}
			c.Attr = attrs
		}
		if c.FirstChild != nil {
			stripNamespaces(c.FirstChild)
		}
	}
}
