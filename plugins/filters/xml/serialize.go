package xml

import (
	"strings"

	"github.com/antchfx/xmlquery"
)

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
)

func escapeText(s string) string { return textEscaper.Replace(s) }

// nodeString is a matched node as Nokogiri's to_s writes it (libxml2's
// formatted XML output): elements with their content, children indented
// two spaces a level when an element holds no text, empty elements as
// <x/>; text escaped; comments and CDATA sections as written.
func nodeString(n *xmlquery.Node) string {
	var b strings.Builder
	writeNode(&b, n, 0, true)
	return b.String()
}

func writeNode(b *strings.Builder, n *xmlquery.Node, depth int, format bool) {
	switch n.Type {
	case xmlquery.TextNode:
		b.WriteString(escapeText(n.Data))
	case xmlquery.CharDataNode:
		b.WriteString("<![CDATA[" + n.Data + "]]>")
	case xmlquery.CommentNode:
		b.WriteString("<!--" + n.Data + "-->")
	case xmlquery.ProcessingInstruction:
		b.WriteString("<?" + n.Data)
		if n.ProcInst != nil && n.ProcInst.Inst != "" {
			b.WriteString(" " + n.ProcInst.Inst)
		}
		b.WriteString("?>")
	case xmlquery.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xmlquery.DeclarationNode {
				continue
			}
			writeNode(b, c, depth, format)
			b.WriteByte('\n')
		}
	case xmlquery.ElementNode:
		name := qualifiedName(n)
		b.WriteString("<" + name)
		for _, a := range n.Attr {
			b.WriteString(" " + attrName(a) + `="` + attrEscaper.Replace(a.Value) + `"`)
		}
		if n.FirstChild == nil {
			b.WriteString("/>")
			return
		}
		b.WriteByte('>')
		indent := format
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if isText(c) {
				indent = false
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if indent {
				b.WriteString("\n" + strings.Repeat("  ", depth+1))
			}
			writeNode(b, c, depth+1, indent)
		}
		if indent {
			b.WriteString("\n" + strings.Repeat("  ", depth))
		}
		b.WriteString("</" + name + ">")
	}
}
