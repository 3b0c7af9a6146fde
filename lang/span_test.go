package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpans checks every node's range in every valid golden config with
// checkSpans.
func TestSpans(t *testing.T) {
	for _, path := range goldenInputs(t, "valid") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, diags := Parse(name, src, goldenOptions(name))
			if cfg == nil {
				t.Fatal(diags.Format(map[string][]byte{name: src}))
			}
			checkSpans(t, src, cfg)
		})
	}
}

// TestSpanExamples pins the ranges of a few nodes by their text.
func TestSpanExamples(t *testing.T) {
	src := []byte("filter {\n  mutate { \"add_tag\" => [\"a\", 'b'] id => xy }\n  if [a] == 1 and !([b] or [c]) { drop {} }\n}\n")
	cfg, diags := Parse("x.conf", src, ParseOptions{})
	if cfg == nil {
		t.Fatal(diags.Format(map[string][]byte{"x.conf": src}))
	}
	text := func(r Range) string { return string(src[r.Start.Offset:r.End.Offset]) }
	body := cfg.Sections[0].Body
	p := body[0].(*Plugin)
	br := body[1].(*Branch)
	cond := br.Cases[0].Cond.(*BoolExpr)
	for _, c := range []struct {
		got  Range
		want string
	}{
		{p.NameSpan(), "mutate"},
		{p.Span(), `mutate { "add_tag" => ["a", 'b'] id => xy }`},
		{p.Attributes[0].NameSpan(), `"add_tag"`},
		{p.Attributes[0].Span(), `"add_tag" => ["a", 'b']`},
		{p.Attributes[0].Value.Span(), `["a", 'b']`},
		{p.Attributes[0].Value.(*Array).Items[1].Span(), `'b'`},
		{p.Attributes[1].Value.Span(), "xy"},
		{br.Span(), "if [a] == 1 and !([b] or [c]) { drop {} }"},
		{cond.Span(), "[a] == 1 and !([b] or [c])"},
		{cond.Left.Span(), "[a] == 1"},
		{cond.Right.Span(), "!([b] or [c])"},
		{cond.Right.(*NotExpr).X.Span(), "[b] or [c]"},
		{cfg.Sections[0].Span(), strings.TrimSuffix(string(src), "\n")},
	} {
		if got := text(c.got); got != c.want {
			t.Errorf("range %v..%v covers %q, want %q", c.got.Start, c.got.End, got, c.want)
		}
	}
}

// checkSpans walks the tree: every node's start and end are positions in
// src (line and column agree with the offset), ends are not before starts,
// children lie within their parents, and scalars cover exactly their text.
func checkSpans(t *testing.T, src []byte, cfg *Config) {
	t.Helper()
	var check func(r Range, parent Range, what string)
	check = func(r Range, parent Range, what string) {
		t.Helper()
		for _, p := range []Pos{r.Start, r.End} {
			line, col, _ := lineColumn(src, p.Offset)
			if p.Line != line || p.Column != col || p.Offset > len(src) {
				t.Fatalf("%s: position %d:%d(%d) is %d:%d", what, p.Line, p.Column, p.Offset, line, col)
			}
		}
		if r.End.Offset < r.Start.Offset || r.Start.Offset < parent.Start.Offset || r.End.Offset > parent.End.Offset {
			t.Fatalf("%s: range %v..%v is not within %v..%v", what, r.Start, r.End, parent.Start, parent.End)
		}
	}
	text := func(r Range) string { return string(src[r.Start.Offset:r.End.Offset]) }
	var value func(v Value, parent Range)
	var expr func(e Expr, parent Range)
	var stmts func(body []Statement, parent Range)
	plugin := func(p *Plugin, parent Range) {
		check(p.Span(), parent, "plugin "+p.Name)
		check(p.NameSpan(), p.Span(), "plugin name "+p.Name)
		if text(p.NameSpan()) != p.Name || !strings.HasSuffix(text(p.Span()), "}") {
			t.Fatalf("plugin %s covers %q", p.Name, text(p.Span()))
		}
		for _, a := range p.Attributes {
			check(a.Span(), p.Span(), "attribute "+a.Name)
			check(a.NameSpan(), a.Span(), "attribute name "+a.Name)
			if unquoteName(text(a.NameSpan())) != a.Name {
				t.Fatalf("attribute name %s covers %q", a.Name, text(a.NameSpan()))
			}
			value(a.Value, a.Span())
			if a.Value.Span().End != a.End {
				t.Fatalf("attribute %s ends at %v, its value at %v", a.Name, a.End, a.Value.Span().End)
			}
		}
	}
	value = func(v Value, parent Range) {
		check(v.Span(), parent, "value")
		got := text(v.Span())
		switch v := v.(type) {
		case *Plugin:
			plugin(v, parent)
		case *String:
			if got[0] != v.Quote || got[len(got)-1] != v.Quote || quotedLen(got) != len(got) {
				t.Fatalf("string %q covers %q", v.Value, got)
			}
		case *Number:
			if got != v.Raw {
				t.Fatalf("number %s covers %q", v.Raw, got)
			}
		case *Bareword:
			if got != v.Value {
				t.Fatalf("bareword %s covers %q", v.Value, got)
			}
		case *Array:
			if got[0] != '[' || got[len(got)-1] != ']' {
				t.Fatalf("array covers %q", got)
			}
			for _, it := range v.Items {
				value(it, v.Span())
			}
		case *Hash:
			if got[0] != '{' || got[len(got)-1] != '}' {
				t.Fatalf("hash covers %q", got)
			}
			for _, e := range v.Entries {
				check(e.Span(), v.Span(), "hash entry")
				value(e.Key, e.Span())
				value(e.Value, e.Span())
			}
		}
	}
	expr = func(e Expr, parent Range) {
		check(e.Span(), parent, "expression")
		got := text(e.Span())
		switch e := e.(type) {
		case *BoolExpr:
			expr(e.Left, e.Span())
			expr(e.Right, e.Span())
		case *NotExpr:
			if got[0] != '!' {
				t.Fatalf("negation covers %q", got)
			}
			expr(e.X, e.Span())
		case *CompareExpr:
			expr(e.Left, e.Span())
			expr(e.Right, e.Span())
		case *MatchExpr:
			expr(e.Left, e.Span())
			expr(e.Right, e.Span())
		case *InExpr:
			expr(e.Left, e.Span())
			expr(e.Right, e.Span())
		case *Selector:
			if got != e.Raw {
				t.Fatalf("selector %s covers %q", e.Raw, got)
			}
		case *Regexp:
			if got[0] != '/' || got[len(got)-1] != '/' {
				t.Fatalf("regexp covers %q", got)
			}
		case *ArrayExpr:
			for _, it := range e.Items {
				expr(it, e.Span())
			}
		case Value:
			value(e, parent)
		}
	}
	stmts = func(body []Statement, parent Range) {
		for _, st := range body {
			switch st := st.(type) {
			case *Plugin:
				plugin(st, parent)
			case *Branch:
				check(st.Span(), parent, "branch")
				for _, c := range st.Cases {
					check(c.Span(), st.Span(), "case")
					expr(c.Cond, c.Span())
					stmts(c.Body, c.Span())
				}
				if st.Else != nil {
					check(st.Else.Span(), st.Span(), "else")
					stmts(st.Else.Body, st.Else.Span())
				}
				if !strings.HasSuffix(text(st.Span()), "}") {
					t.Fatalf("branch covers %q", text(st.Span()))
				}
			}
		}
	}
	check(cfg.Span(), Range{Pos{}, Pos{Offset: len(src)}}, "config")
	for _, s := range cfg.Sections {
		check(s.Span(), cfg.Span(), "section")
		if got := text(s.Span()); !strings.HasPrefix(got, string(s.Kind)) || !strings.HasSuffix(got, "}") {
			t.Fatalf("section covers %q", got)
		}
		stmts(s.Body, s.Span())
	}
}
