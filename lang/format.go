package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// Format prints c in a canonical layout: two-space indentation, one
// attribute per line, nested boolean operators always parenthesized (so the
// reader need not know Logstash's precedence). Comments are not kept. The
// output parses back to the same tree, positions aside.
func Format(c *Config) []byte {
	f := &formatter{escapes: c.SupportEscapes}
	for i, s := range c.Sections {
		if i > 0 {
			f.b.WriteByte('\n')
		}
		f.b.WriteString(string(s.Kind))
		f.b.WriteString(" {\n")
		f.stmts(s.Body, 1)
		f.b.WriteString("}\n")
	}
	return []byte(f.b.String())
}

type formatter struct {
	b       strings.Builder
	escapes bool
}

func (f *formatter) indent(n int) {
	for range n {
		f.b.WriteString("  ")
	}
}

func (f *formatter) stmts(body []Statement, depth int) {
	for _, st := range body {
		f.indent(depth)
		switch st := st.(type) {
		case *Plugin:
			f.plugin(st, depth)
		case *Branch:
			for i, c := range st.Cases {
				if i > 0 {
					f.b.WriteString(" else ")
				}
				f.b.WriteString("if ")
				f.b.WriteString(formatExprWith(c.Cond, true, f.escapes))
				f.block(c.Body, depth)
			}
			if st.Else != nil {
				f.b.WriteString(" else")
				f.block(st.Else.Body, depth)
			}
		}
		f.b.WriteByte('\n')
	}
}

func (f *formatter) block(body []Statement, depth int) {
	if len(body) == 0 {
		f.b.WriteString(" {}")
		return
	}
	f.b.WriteString(" {\n")
	f.stmts(body, depth+1)
	f.indent(depth)
	f.b.WriteByte('}')
}

func (f *formatter) plugin(p *Plugin, depth int) {
	f.b.WriteString(p.Name)
	if len(p.Attributes) == 0 {
		f.b.WriteString(" {}")
		return
	}
	f.b.WriteString(" {\n")
	for _, a := range p.Attributes {
		f.indent(depth + 1)
		f.b.WriteString(formatName(a.Name))
		f.b.WriteString(" => ")
		f.value(a.Value, depth+1)
		f.b.WriteByte('\n')
	}
	f.indent(depth)
	f.b.WriteByte('}')
}

func (f *formatter) value(v Value, depth int) {
	switch v := v.(type) {
	case *Plugin:
		f.plugin(v, depth)
	case *Hash:
		if len(v.Entries) == 0 {
			f.b.WriteString("{}")
			return
		}
		f.b.WriteString("{\n")
		for _, e := range v.Entries {
			f.indent(depth + 1)
			f.value(e.Key, depth+1)
			f.b.WriteString(" => ")
			f.value(e.Value, depth+1)
			f.b.WriteByte('\n')
		}
		f.indent(depth)
		f.b.WriteByte('}')
	case *Array:
		if !isFlat(v.Items) {
			f.b.WriteString("[\n")
			for i, it := range v.Items {
				f.indent(depth + 1)
				f.value(it, depth+1)
				if i < len(v.Items)-1 {
					f.b.WriteByte(',')
				}
				f.b.WriteByte('\n')
			}
			f.indent(depth)
			f.b.WriteByte(']')
			return
		}
		f.b.WriteByte('[')
		for i, it := range v.Items {
			if i > 0 {
				f.b.WriteString(", ")
			}
			f.value(it, depth)
		}
		f.b.WriteByte(']')
	default:
		f.b.WriteString(formatScalar(v, f.escapes))
	}
}

// isFlat reports whether items fit on one line: no hashes or plugins.
func isFlat(items []Value) bool {
	for _, it := range items {
		switch it := it.(type) {
		case *Hash, *Plugin:
			return false
		case *Array:
			if !isFlat(it.Items) {
				return false
			}
		}
	}
	return true
}

func formatScalar(v any, escapes bool) string {
	switch v := v.(type) {
	case *String:
		return quoteString(v.Value, v.Quote, escapes)
	case *Number:
		return v.Raw
	case *Bareword:
		return v.Value
	}
	panic(fmt.Sprintf("lang: formatScalar of %T", v))
}

// quoteString writes a string literal whose value reads back as s. With
// escapes off the text goes between the quotes as-is (it came from such a
// literal). With escapes on, the quote, NUL and control characters are
// escaped, and a backslash is doubled only where it would otherwise start
// an escape (so a regexp-ish `\d` stays `\d`).
func quoteString(s string, q byte, escapes bool) string {
	if !escapes {
		return string(q) + s + string(q)
	}
	var b strings.Builder
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 == len(s) || strings.IndexByte("\"'\\nrt0\n\r\t\x00", s[i+1]) >= 0 {
				b.WriteString(`\\`)
			} else {
				b.WriteByte('\\')
			}
		case q:
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// formatName writes an attribute name bare when it can be, else quoted with
// a quote character the name's text can sit between unchanged.
func formatName(name string) string {
	if name != "" && nameLen(name) == len(name) {
		return name
	}
	for _, q := range []byte{'"', '\''} {
		lit := string(q) + name + string(q)
		if quotedLen(lit) == len(lit) {
			return lit
		}
	}
	return strconv.Quote(name)
}

func formatExpr(e Expr, top bool) string { return formatExprWith(e, top, false) }

// formatExprWith prints a condition; nested boolean expressions are always
// parenthesized so the text means the same tree whatever the precedence.
func formatExprWith(e Expr, top bool, escapes bool) string {
	sub := func(x Expr) string { return formatExprWith(x, false, escapes) }
	switch e := e.(type) {
	case *BoolExpr:
		s := sub(e.Left) + " " + e.Op + " " + sub(e.Right)
		if top {
			return s
		}
		return "(" + s + ")"
	case *NotExpr:
		if sel, ok := e.X.(*Selector); ok {
			return "!" + sel.Raw
		}
		return "!(" + formatExprWith(e.X, true, escapes) + ")"
	case *CompareExpr:
		return sub(e.Left) + " " + e.Op + " " + sub(e.Right)
	case *MatchExpr:
		return sub(e.Left) + " " + e.Op + " " + sub(e.Right)
	case *InExpr:
		op := " in "
		if e.Not {
			op = " not in "
		}
		return sub(e.Left) + op + sub(e.Right)
	case *Selector:
		return e.Raw
	case *Regexp:
		return "/" + escapeSlashes(e.Pattern) + "/"
	case *ArrayExpr:
		var parts []string
		for _, it := range e.Items {
			parts = append(parts, formatListItem(it, escapes))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *String, *Number, *Bareword:
		return formatScalar(e, escapes)
	case *Array, *Hash:
		return inlineValue(e.(Value), escapes)
	}
	panic(fmt.Sprintf("lang: formatExpr of %T", e))
}

// formatListItem prints an item of a list constant in a condition on one line.
func formatListItem(e Expr, escapes bool) string {
	if v, ok := e.(Value); ok {
		return inlineValue(v, escapes)
	}
	return formatExprWith(e, false, escapes)
}

// inlineValue prints an attribute value on one line.
func inlineValue(v Value, escapes bool) string {
	switch v := v.(type) {
	case *Array:
		parts := make([]string, len(v.Items))
		for i, it := range v.Items {
			parts[i] = inlineValue(it, escapes)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *Hash:
		parts := make([]string, len(v.Entries))
		for i, en := range v.Entries {
			parts[i] = inlineValue(en.Key, escapes) + " => " + inlineValue(en.Value, escapes)
		}
		return "{ " + strings.Join(parts, " ") + " }"
	case *Plugin:
		parts := make([]string, len(v.Attributes))
		for i, a := range v.Attributes {
			parts[i] = formatName(a.Name) + " => " + inlineValue(a.Value, escapes)
		}
		return v.Name + " { " + strings.Join(parts, " ") + " }"
	}
	return formatScalar(v, escapes)
}

// escapeSlashes is the inverse of unescapeSlashes: a backslash goes before
// every slash that no backslash escapes yet.
func escapeSlashes(s string) string {
	out := make([]byte, 0, len(s)+4)
	run := 0 // backslashes just before s[i]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '/' && run%2 == 0 {
			out = append(out, '\\')
		}
		if c == '\\' {
			run++
		} else {
			run = 0
		}
		out = append(out, c)
	}
	return string(out)
}
