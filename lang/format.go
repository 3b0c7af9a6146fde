package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// Format prints c in a canonical layout: two-space indentation, one
// attribute per line, nested boolean operators always parenthesized (so the
// reader need not know Logstash's precedence). A tree holds no comments, so
// none are printed; FormatSource keeps them. The output parses back to the
// same tree, positions aside.
func Format(c *Config) []byte {
	f := &formatter{escapes: c.SupportEscapes}
	return f.config(c)
}

// FormatSource parses src and prints it in Format's layout with every
// comment kept where it was: before a section, statement, attribute, hash
// entry or array item it stays on its own lines before it; after code on a
// line it stays at the end of that line; before a closing brace or bracket
// it stays inside, at the end of the block. Comments within what the layout
// puts on one line (in a condition, between a name and its value or `{`)
// move to lines of their own before that line. Comments between the `}` of
// an `if` body and the `else` after it stay there, and `else` starts a
// line. Formatting the output again changes nothing. The output is nil,
// with the diagnostics, when src does not parse.
func FormatSource(filename string, src []byte, opts ParseOptions) ([]byte, Diagnostics) {
	tr := &trivia{closes: map[int]int{}}
	c, diags := parse(filename, src, opts, tr)
	if c == nil {
		return nil, diags
	}
	f := &formatter{escapes: c.SupportEscapes, src: src, comments: tr.comments, closes: tr.closes}
	return f.config(c), diags
}

// formatter writes the layout line by line. A line stays open until the
// next one starts, so that a comment which followed the line's last token
// in the source can still go at its end.
type formatter struct {
	b       strings.Builder
	escapes bool

	// src, comments and closes are empty when formatting a bare tree.
	src []byte
	// comments are those not written yet, in source order.
	comments []comment
	closes   map[int]int

	lineOpen      bool // a line has been started and not ended
	lineCommented bool // the open line ends in a comment
}

func (f *formatter) config(c *Config) []byte {
	for i, s := range c.Sections {
		open := f.after(s.Pos.Offset + len(s.Kind))
		if i > 0 {
			f.trailingComment(s.Pos.Offset)
			f.blankLine()
		}
		f.lineStart(s.Pos.Offset, open, 0)
		f.b.WriteString(string(s.Kind))
		f.b.WriteString(" {")
		f.stmts(s.Body, 1)
		f.commentsBefore(f.closes[open], 1)
		f.line(0)
		f.b.WriteByte('}')
	}
	f.commentsBefore(len(f.src)+1, 0)
	if f.lineOpen {
		f.b.WriteByte('\n')
	}
	return []byte(f.b.String())
}

// after is the offset of the first token at or after off.
func (f *formatter) after(off int) int { return skipSpaceFrom(f.src, off) }

// line ends the open line and starts one at the given depth.
func (f *formatter) line(depth int) {
	if f.lineOpen {
		f.b.WriteByte('\n')
	}
	f.lineOpen, f.lineCommented = true, false
	for range depth {
		f.b.WriteString("  ")
	}
}

func (f *formatter) blankLine() {
	if f.lineOpen {
		f.b.WriteByte('\n')
	}
	f.b.WriteByte('\n')
	f.lineOpen, f.lineCommented = false, false
}

// commentsBefore writes the comments that come before offset off in the
// source: one that followed code on its line goes at the end of the open
// line when that line has no comment yet; the others go on lines of their
// own at depth.
func (f *formatter) commentsBefore(off, depth int) { f.writeComments(off, depth, true) }

// commentsWithin writes the comments before off on lines of their own: they
// sit inside a line the layout joins (between its first token and off), so
// the open line does not hold the code they followed.
func (f *formatter) commentsWithin(off, depth int) { f.writeComments(off, depth, false) }

// lineStart writes the comments before a line that starts with the token at
// start and runs to the token at end.
func (f *formatter) lineStart(start, end, depth int) {
	f.commentsBefore(start, depth)
	f.commentsWithin(end, depth)
	f.line(depth)
}

func (f *formatter) writeComments(off, depth int, trailing bool) {
	for len(f.comments) > 0 && f.comments[0].offset < off {
		c := f.comments[0]
		f.comments = f.comments[1:]
		if c.ownLine || !trailing || !f.lineOpen || f.lineCommented {
			f.line(depth)
		} else {
			f.b.WriteByte(' ')
		}
		f.b.WriteString(c.text)
		f.lineCommented = true
	}
}

// trailingComment writes the next comment at the end of the open line if
// it followed code on its line and comes before off.
func (f *formatter) trailingComment(off int) {
	if len(f.comments) > 0 && f.comments[0].offset < off && !f.comments[0].ownLine {
		f.commentsBefore(f.comments[0].offset+1, 0)
	}
}

// hasCommentsBefore reports whether a comment not written yet comes before
// off: called at an opening bracket, whether the bracket holds one.
func (f *formatter) hasCommentsBefore(off int) bool {
	return len(f.comments) > 0 && f.comments[0].offset < off
}

// head is the offset of the last token of v that the layout puts on the
// line where v starts: the comments before it go before that line.
func (f *formatter) head(v Value) int {
	if p, ok := v.(*Plugin); ok {
		return f.after(p.Pos.Offset + len(p.Name))
	}
	return v.Position().Offset
}

func (f *formatter) stmts(body []Statement, depth int) {
	for _, st := range body {
		switch st := st.(type) {
		case *Plugin:
			f.lineStart(st.Pos.Offset, f.head(st), depth)
			f.plugin(st, depth)
		case *Branch:
			f.branch(st, depth)
		}
	}
}

func (f *formatter) branch(br *Branch, depth int) {
	for i, c := range br.Cases {
		ifAt := c.Pos.Offset
		if i > 0 {
			ifAt = f.after(ifAt + len("else"))
		}
		open := f.closes[ifAt]
		if i == 0 {
			f.lineStart(c.Pos.Offset, open, depth)
		} else {
			f.elseKeyword(c.Pos.Offset, open, depth)
			f.b.WriteString("else ")
		}
		f.b.WriteString("if ")
		f.b.WriteString(formatExprWith(c.Cond, true, f.escapes))
		f.block(c.Body, depth, open)
	}
	if br.Else != nil {
		open := f.after(br.Else.Pos.Offset + len("else"))
		f.elseKeyword(br.Else.Pos.Offset, open, depth)
		f.b.WriteString("else")
		f.block(br.Else.Body, depth, open)
	}
}

// elseKeyword, at offset at, goes on the line of the `}` before it, unless
// comments come between that `}` and the `{` (at open) of the else's body:
// they follow the `}`, and `else` starts a line.
func (f *formatter) elseKeyword(at, open, depth int) {
	if !f.hasCommentsBefore(open) {
		f.b.WriteByte(' ')
		return
	}
	f.lineStart(at, open, depth)
}

// block writes a branch body whose `{` is at offset open.
func (f *formatter) block(body []Statement, depth, open int) {
	closeAt := f.closes[open]
	if len(body) == 0 && !f.hasCommentsBefore(closeAt) {
		f.b.WriteString(" {}")
		return
	}
	f.b.WriteString(" {")
	f.stmts(body, depth+1)
	f.commentsBefore(closeAt, depth+1)
	f.line(depth)
	f.b.WriteByte('}')
}

func (f *formatter) plugin(p *Plugin, depth int) {
	closeAt := f.closes[f.head(p)]
	f.b.WriteString(p.Name)
	if len(p.Attributes) == 0 && !f.hasCommentsBefore(closeAt) {
		f.b.WriteString(" {}")
		return
	}
	f.b.WriteString(" {")
	for _, a := range p.Attributes {
		f.lineStart(a.Pos.Offset, f.head(a.Value), depth+1)
		f.b.WriteString(formatName(a.Name))
		f.b.WriteString(" => ")
		f.value(a.Value, depth+1)
	}
	f.commentsBefore(closeAt, depth+1)
	f.line(depth)
	f.b.WriteByte('}')
}

func (f *formatter) value(v Value, depth int) {
	switch v := v.(type) {
	case *Plugin:
		f.plugin(v, depth)
	case *Hash:
		closeAt := f.closes[v.Pos.Offset]
		if len(v.Entries) == 0 && !f.hasCommentsBefore(closeAt) {
			f.b.WriteString("{}")
			return
		}
		f.b.WriteByte('{')
		for _, e := range v.Entries {
			f.lineStart(e.Pos.Offset, f.head(e.Value), depth+1)
			f.value(e.Key, depth+1)
			f.b.WriteString(" => ")
			f.value(e.Value, depth+1)
		}
		f.commentsBefore(closeAt, depth+1)
		f.line(depth)
		f.b.WriteByte('}')
	case *Array:
		closeAt := f.closes[v.Pos.Offset]
		if isFlat(v.Items) && !f.hasCommentsBefore(closeAt) {
			f.b.WriteByte('[')
			for i, it := range v.Items {
				if i > 0 {
					f.b.WriteString(", ")
				}
				f.value(it, depth)
			}
			f.b.WriteByte(']')
			return
		}
		f.b.WriteByte('[')
		for i, it := range v.Items {
			f.lineStart(it.Position().Offset, f.head(it), depth+1)
			f.value(it, depth+1)
			if i < len(v.Items)-1 {
				f.b.WriteByte(',')
			}
		}
		f.commentsBefore(closeAt, depth+1)
		f.line(depth)
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

// trivia is what a parse for the formatter keeps beside the tree, which
// has no room for it: the comments, and where each bracket closes (the
// tree has only where nodes start).
type trivia struct {
	comments []comment
	// closes maps the offset of each `{` and `[` to the offset of its
	// closer, and the offset of each `if` to the `{` that ends its
	// condition.
	closes map[int]int
}

// comment is one `#` comment. Text runs from the `#` to the end of its
// line, trailing blanks dropped. OwnLine: nothing but blanks precedes it on
// its line; otherwise it follows code on that line.
type comment struct {
	offset  int
	text    string
	ownLine bool
}

// collect fills t from an accepted config's tape. A `#` is a comment
// unless it is inside a string, regexp or selector, the only tokens that
// can hold one; a comment runs to the end of its line.
func (t *trivia) collect(src []byte, tape []cstNode) {
	from := 0
	for i, n := range tape {
		switch n.rule {
		case ruleString, ruleRegexp, ruleSelector:
			if n.start >= from {
				t.collectComments(src, from, n.start)
				from = n.end
			}
		case ruleArray, ruleHash:
			t.closes[n.start] = n.end - 1
		case rulePluginSection, rulePlugin:
			// The block opens after the section kind or plugin name.
			t.closes[skipSpaceFrom(src, tape[i+1].end)] = n.end - 1
		case ruleIf, ruleElseIf:
			ifAt := n.start
			if n.rule == ruleElseIf {
				ifAt = skipSpaceFrom(src, n.start+len("else"))
			}
			open := skipSpaceFrom(src, tape[i+1].end) // after the condition
			t.closes[ifAt] = open
			t.closes[open] = n.end - 1
		case ruleElse:
			t.closes[skipSpaceFrom(src, n.start+len("else"))] = n.end - 1
		}
	}
	t.collectComments(src, from, len(src))
}

// collectComments records the comments in src[from:to], which holds no
// string, regexp or selector.
func (t *trivia) collectComments(src []byte, from, to int) {
	for i := from; i < to; i++ {
		if src[i] != '#' {
			continue
		}
		end := i
		for end < to && src[end] != '\n' {
			end++
		}
		line := i
		for line > 0 && (src[line-1] == ' ' || src[line-1] == '\t' || src[line-1] == '\r') {
			line--
		}
		text := strings.TrimRight(string(src[i:end]), " \t\r")
		t.comments = append(t.comments, comment{offset: i, text: text, ownLine: line == 0 || src[line-1] == '\n'})
		i = end
	}
}

// skipSpaceFrom is the offset of the first byte at or after i that is not
// whitespace or in a comment.
func skipSpaceFrom(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\r', '\n':
			i++
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// nameLen is the length of the run of name characters ([A-Za-z0-9_-]) at
// the start of b.
func nameLen[T string | []byte](b T) int {
	i := 0
	for i < len(b) && isNameByte(b[i]) {
		i++
	}
	return i
}

// quotedLen is the length of the string or regexp literal at the start of
// b, closing quote included; an unterminated literal runs to the end.
func quotedLen[T string | []byte](b T) int {
	q := b[0]
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			if i+1 < len(b) && b[i+1] == q {
				i++
			}
		case q:
			return i + 1
		}
	}
	return len(b)
}
