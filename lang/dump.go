package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// Dump renders the tree one node per line, children indented, each with its
// position as @line:column(offset). The text is stable and meant for golden
// files and debugging.
func Dump(c *Config) string {
	d := &dumper{}
	d.line(0, c.Pos, "Config escapes=%t", c.SupportEscapes)
	for _, s := range c.Sections {
		d.line(1, s.Pos, "Section %s", s.Kind)
		d.stmts(2, s.Body)
	}
	return d.b.String()
}

type dumper struct{ b strings.Builder }

func (d *dumper) line(depth int, pos Pos, format string, args ...any) {
	for range depth {
		d.b.WriteString("  ")
	}
	fmt.Fprintf(&d.b, format, args...)
	fmt.Fprintf(&d.b, " @%d:%d(%d)\n", pos.Line, pos.Column, pos.Offset)
}

func (d *dumper) stmts(depth int, body []Statement) {
	for _, st := range body {
		switch st := st.(type) {
		case *Plugin:
			d.plugin(depth, st)
		case *Branch:
			d.line(depth, st.Pos, "Branch")
			for _, c := range st.Cases {
				d.line(depth+1, c.Pos, "Case")
				d.expr(depth+2, c.Cond)
				d.line(depth+2, c.Pos, "Then")
				d.stmts(depth+3, c.Body)
			}
			if st.Else != nil {
				d.line(depth+1, st.Else.Pos, "Else")
				d.stmts(depth+2, st.Else.Body)
			}
		}
	}
}

func (d *dumper) plugin(depth int, p *Plugin) {
	d.line(depth, p.Pos, "Plugin %s", strconv.Quote(p.Name))
	for _, a := range p.Attributes {
		d.line(depth+1, a.Pos, "Attribute %s", strconv.Quote(a.Name))
		d.value(depth+2, a.Value)
	}
}

func (d *dumper) value(depth int, v Value) {
	switch v := v.(type) {
	case *Plugin:
		d.plugin(depth, v)
	case *Array:
		d.line(depth, v.Pos, "Array")
		for _, it := range v.Items {
			d.value(depth+1, it)
		}
	case *Hash:
		d.line(depth, v.Pos, "Hash")
		for _, e := range v.Entries {
			d.line(depth+1, e.Pos, "Entry")
			d.value(depth+2, e.Key)
			d.value(depth+2, e.Value)
		}
	default:
		d.scalar(depth, v)
	}
}

func (d *dumper) scalar(depth int, v Value) {
	switch v := v.(type) {
	case *String:
		d.line(depth, v.Pos, "String %s quote=%c", strconv.Quote(v.Value), v.Quote)
	case *Bareword:
		d.line(depth, v.Pos, "Bareword %s", strconv.Quote(v.Value))
	case *Number:
		if v.IsFloat {
			d.line(depth, v.Pos, "Float %s = %s", v.Raw, strconv.FormatFloat(v.Float, 'g', -1, 64))
		} else {
			d.line(depth, v.Pos, "Integer %s = %d", v.Raw, v.Int)
		}
	}
}

func (d *dumper) expr(depth int, e Expr) {
	switch e := e.(type) {
	case *BoolExpr:
		d.line(depth, e.Pos, "Bool %s", e.Op)
		d.expr(depth+1, e.Left)
		d.expr(depth+1, e.Right)
	case *NotExpr:
		d.line(depth, e.Pos, "Not")
		d.expr(depth+1, e.X)
	case *CompareExpr:
		d.line(depth, e.Pos, "Compare %s", e.Op)
		d.expr(depth+1, e.Left)
		d.expr(depth+1, e.Right)
	case *MatchExpr:
		d.line(depth, e.Pos, "Match %s", e.Op)
		d.expr(depth+1, e.Left)
		d.expr(depth+1, e.Right)
	case *InExpr:
		op := "in"
		if e.Not {
			op = "not in"
		}
		d.line(depth, e.Pos, "In %s", op)
		d.expr(depth+1, e.Left)
		d.expr(depth+1, e.Right)
	case *Selector:
		path := make([]string, len(e.Path))
		for i, p := range e.Path {
			path[i] = strconv.Quote(p)
		}
		d.line(depth, e.Pos, "Selector %s path=[%s]", e.Raw, strings.Join(path, " "))
	case *Regexp:
		d.line(depth, e.Pos, "Regexp %s", strconv.Quote(e.Pattern))
	case *ArrayExpr:
		d.line(depth, e.Pos, "List")
		for _, it := range e.Items {
			d.expr(depth+1, it)
		}
	case Value:
		d.value(depth, e)
	}
}
