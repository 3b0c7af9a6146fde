package xml

import (
	"strings"

	"github.com/antchfx/xmlquery"

	"github.com/gostash/gostash/runtime/event"
)

// simpleOptions are the XmlSimple options the filter passes.
type simpleOptions struct {
	forceArray, forceContent, suppressEmpty bool
}

const contentKey = "content"

// simple turns a document's root element into Ruby values as XmlSimple's
// xml_in does (no key attributes, root dropped): attributes and child
// elements become keys, repeated or (with ForceArray) all child elements
// lists, text-only elements their text, text beside attributes (or
// mixed with elements) a "content" key; SuppressEmpty leaves empty
// elements out.
func simple(root *xmlquery.Node, o simpleOptions) any {
	return o.collapse(root)
}

func qualifiedName(n *xmlquery.Node) string {
	if n.Prefix != "" {
		return n.Prefix + ":" + n.Data
	}
	return n.Data
}

func attrName(a xmlquery.Attr) string {
	if a.Name.Space != "" {
		return a.Name.Space + ":" + a.Name.Local
	}
	return a.Name.Local
}

func isText(n *xmlquery.Node) bool {
	return n.Type == xmlquery.TextNode || n.Type == xmlquery.CharDataNode
}

func (o simpleOptions) collapse(el *xmlquery.Node) any {
	result := event.NewMap(len(el.Attr))
	for _, a := range el.Attr {
		result.Set(attrName(a), a.Value)
	}
	var hasElements, hasText bool
	var texts []*xmlquery.Node
	for c := el.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == xmlquery.ElementNode:
			hasElements = true
		case isText(c):
			hasText = true
			texts = append(texts, c)
		}
	}
	if hasElements {
		for c := el.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != xmlquery.ElementNode {
				continue
			}
			value := o.collapse(c)
			if empty(value) && len(el.Attr) == 0 && o.suppressEmpty {
				continue
			}
			// REXML names elements by their local name.
			o.merge(result, c.Data, value)
		}
		var raw strings.Builder
		for _, t := range texts {
			raw.WriteString(rawText(t))
		}
		if hasText && strings.TrimSpace(raw.String()) != "" {
			if len(texts) == 1 {
				result.Set(contentKey, rawText(texts[0]))
			} else {
				parts := make([]any, len(texts))
				for i, t := range texts {
					parts[i] = rawText(t)
				}
				result.Set(contentKey, parts)
			}
		}
	} else if hasText {
		var value strings.Builder
		for _, t := range texts {
			value.WriteString(t.Data)
		}
		text := value.String()
		if strings.TrimSpace(text) == "" && len(el.Attr) == 0 {
			return event.NewMap(0)
		}
		switch {
		case len(el.Attr) > 0, o.forceContent:
			return o.merge(result, contentKey, text)
		default:
			return text
		}
	}
	arrays := 0
	result.Range(func(_ string, v any) bool {
		if _, ok := v.([]any); ok {
			arrays++
		}
		return true
	})
	if arrays == 1 {
		if anon, ok := result.Get("anon"); ok {
			if l, ok := anon.([]any); ok {
				return l
			}
		}
	}
	if result.Len() == 0 && o.suppressEmpty {
		return nil
	}
	return result
}

// rawText is a text node as REXML's to_s gives it: escaped (CDATA kept
// as a section).
func rawText(n *xmlquery.Node) string {
	if n.Type == xmlquery.CharDataNode {
		return "<![CDATA[" + n.Data + "]]>"
	}
	return escapeText(n.Data)
}

// empty is XmlSimple's: nil, an empty hash or blank text.
func empty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case *event.Map:
		return t.Len() == 0
	case string:
		return strings.TrimSpace(t) == ""
	}
	return false
}

// merge adds a key: a second value makes a list, a list value is wrapped
// (an anonymous array), ForceArray wraps every value but content.
func (o simpleOptions) merge(m *event.Map, key string, value any) *event.Map {
	if old, ok := m.Get(key); ok {
		if l, ok := old.([]any); ok {
			m.Set(key, append(l, value))
		} else {
			m.Set(key, []any{old, value})
		}
		return m
	}
	if l, ok := value.([]any); ok {
		m.Set(key, []any{l})
		return m
	}
	if o.forceArray && key != contentKey {
		m.Set(key, []any{value})
		return m
	}
	m.Set(key, value)
	return m
}
