package lang

import (
	"bytes"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseOptions are the settings that change how a config reads.
type ParseOptions struct {
	// SupportEscapes is Logstash's config.support_escapes: process \" \' \\
	// \n \r \t and \0 inside quoted strings.
	SupportEscapes bool
}

// Parse reads one config source. It returns the tree when the source is a
// valid config, and nil when any diagnostic is an error. Warnings (surprising
// but legal constructs) come back either way.
func Parse(filename string, src []byte, opts ParseOptions) (*Config, Diagnostics) {
	return parse(filename, src, opts, nil)
}

// parse is Parse; a non-nil tr also receives the source's comments and
// bracket pairs, for the formatter.
func parse(filename string, src []byte, opts ParseOptions, tr *trivia) (*Config, Diagnostics) {
	f, tape := recognize(src)
	if f != nil && f.TooDeep {
		d := Errorf(Pos{File: filename, Offset: f.Offset, Line: f.Line, Column: f.Column},
			"the config nests too deeply here for gostash to parse")
		return nil, Diagnostics{d}
	}
	if f != nil {
		return nil, Diagnostics{syntaxDiagnostic(filename, src, f)}
	}
	b := &builder{src: src, text: string(src), tape: tape, opts: opts, lines: newLineIndex(filename, src)}
	cfg := b.config()
	if tr != nil {
		tr.collect(src, tape)
	}
	if b.diags.HasErrors() {
		return nil, b.diags
	}
	return cfg, b.diags
}

// syntaxDiagnostic turns treetop's explanation into a diagnostic about
// what was found where the parse failed (see foundLen): a human summary,
// and Logstash's own message as the detail.
func syntaxDiagnostic(filename string, src []byte, f *treetopFailure) *Diagnostic {
	lines := newLineIndex(filename, src)
	at := Range{lines.pos(f.Offset), lines.pos(f.Offset + foundLen(src, f.Offset))}
	d := Errorf(at, "%s", syntaxSummary(src, f))
	d.Detail = f.Message()
	return d
}

// syntaxSummary says in words what treetop's terminal list means: what
// could come next, and what is there instead.
func syntaxSummary(src []byte, f *treetopFailure) string {
	if f.Offset == len(src) && contains(f.Expected, "any character") {
		// Only an open string or regexp still wants any character at the end.
		if contains(f.Expected, `'\/'`) {
			return "syntax error: unterminated /regexp/"
		}
		return "syntax error: unterminated string"
	}
	var want []string
	seen := map[string]bool{}
	for _, e := range f.Expected {
		h, ok := expectedInWords[e]
		if !ok {
			h = e
		}
		if h == "" || strings.HasPrefix(e, "something other than") || seen[h] {
			continue
		}
		seen[h] = true
		want = append(want, h)
	}
	found := describeFound(src, f.Offset)
	switch len(want) {
	case 0:
		return "syntax error: unexpected " + found
	case 1:
		return fmt.Sprintf("syntax error: expected %s, found %s", want[0], found)
	}
	return fmt.Sprintf("syntax error: expected one of %s, found %s", strings.Join(want, ", "), found)
}

// expectedInWords names treetop's character classes; whitespace, comments
// and the insides of literals (empty here) go unmentioned.
var expectedInWords = map[string]string{
	`[ \t\r\n]`:     "",
	`"#"`:           "",
	`[^\r\n]`:       "",
	`"\r"`:          "",
	`"\n"`:          "",
	`"."`:           "",
	"any character": "",
	`'\"'`:          "",
	`"\\'"`:         "",
	`'\/'`:          "",
	`'"'`:           "a string",
	`"'"`:           "a string",
	`'/'`:           "a /regexp/",
	`[A-Za-z0-9_-]`: "a name",
	`[A-Za-z_]`:     "a bareword",
	`[A-Za-z0-9_]`:  "another word character (barewords have at least 2)",
	`[0-9]`:         "a number",
	`"-"`:           "a number",
	`[^\]\[,]`:      "a field name",
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// foundLen is the length of what describeFound names: a word, or one
// character (none at the end of input).
func foundLen(src []byte, off int) int {
	if off >= len(src) {
		return 0
	}
	if n := nameLen(src[off:]); n > 0 {
		return n
	}
	_, n := utf8.DecodeRune(src[off:])
	return n
}

// describeFound names what sits at off: end of input, a word, or a character.
func describeFound(src []byte, off int) string {
	if off >= len(src) {
		return "end of input"
	}
	if n := nameLen(src[off:]); n > 0 {
		return strconv.Quote(string(src[off : off+n]))
	}
	switch src[off] {
	case '\n', '\r':
		return "end of line"
	case ' ', '\t':
		return "whitespace"
	}
	r := []rune(string(src[off:min(off+4, len(src))]))
	return strconv.Quote(string(r[:1]))
}

// builder converts the recognizer's tape into the public AST and collects
// the problems Logstash's compiler stage would report. The tape has the
// shape of the grammar, so the builder only reads it: each function takes
// the index of a recorded rule and knows which rules its children are.
type builder struct {
	src   []byte
	text  string // src as a string, so names and values share its memory
	tape  []cstNode
	opts  ParseOptions
	lines *lineIndex
	diags Diagnostics
}

func (b *builder) errorf(at Located, format string, args ...any) *Diagnostic {
	d := Errorf(at, format, args...)
	b.diags = append(b.diags, d)
	return d
}

func (b *builder) warnf(at Located, format string, args ...any) *Diagnostic {
	d := Warnf(at, format, args...)
	b.diags = append(b.diags, d)
	return d
}

// pos is where tape entry n starts.
func (b *builder) pos(n int) Pos { return b.lines.pos(b.tape[n].start) }

// end is where tape entry n ends. The builder asks for it once it has built
// n's children, so that positions are asked for in source order.
func (b *builder) end(n int) Pos { return b.lines.pos(b.tape[n].end) }

// raw is the text tape entry n matched.
func (b *builder) raw(n int) string { return b.text[b.tape[n].start:b.tape[n].end] }

// firstChild is the index of n's first child; the grammar guarantees one
// where it is called.
func firstChild(n int) int { return n + 1 }

func (b *builder) config() *Config {
	c := &Config{Pos: Pos{File: b.lines.file, Line: 1, Column: 1}, SupportEscapes: b.opts.SupportEscapes}
	for n := 0; n < len(b.tape); n = b.tape[n].next {
		c.Sections = append(c.Sections, b.section(n))
	}
	c.End = b.lines.pos(len(b.src))
	return c
}

// section reads plugin_section: plugin_type, then the block's statements.
func (b *builder) section(n int) *Section {
	kind := firstChild(n)
	sec := &Section{Pos: b.pos(n), Kind: SectionKind(b.raw(kind)), Body: b.stmts(b.tape[kind].next, b.tape[n].next)}
	sec.End = b.end(n)
	if sec.Kind == InputSection {
		b.warnInputConditionals(sec.Body)
	}
	return sec
}

func (b *builder) warnInputConditionals(body []Statement) {
	for _, st := range body {
		if br, ok := st.(*Branch); ok {
			b.warnf(br, "conditional inside an input section: Logstash starts every input plugin in it regardless of the condition")
		}
	}
}

// stmts reads the plugins and branches on the tape from index from up to end.
func (b *builder) stmts(from, end int) []Statement {
	var out []Statement
	for n := from; n < end; n = b.tape[n].next {
		if b.tape[n].rule == ruleBranch {
			out = append(out, b.branch(n))
			continue
		}
		p := b.plugin(n)
		switch {
		case p.Name == "else":
			b.warnf(p.NameSpan(), "`else` without an `if` right before it: Logstash reads it as a plugin named \"else\"")
		case strings.HasPrefix(p.Name, `"`) || strings.HasPrefix(p.Name, `'`):
			b.warnf(p.NameSpan(), "quoted plugin name %s: Logstash keeps the quotes as part of the name", p.Name)
		}
		out = append(out, p)
	}
	return out
}

// branch reads if, else_if* and else?.
func (b *builder) branch(n int) *Branch {
	br := &Branch{Pos: b.pos(n)}
	for c := n + 1; c < b.tape[n].next; c = b.tape[c].next {
		switch b.tape[c].rule {
		case ruleIf, ruleElseIf:
			cond := firstChild(c)
			cs := &Case{Pos: b.pos(c), Cond: b.cond(cond), Body: b.stmts(b.tape[cond].next, b.tape[c].next)}
			cs.End = b.end(c)
			br.Cases = append(br.Cases, cs)
		case ruleElse:
			br.Else = &Block{Pos: b.pos(c), Body: b.stmts(c+1, b.tape[c].next)}
			br.Else.End = b.end(c)
		}
	}
	br.End = b.end(n)
	return br
}

// plugin reads name, then attributes (each a name and a value).
func (b *builder) plugin(n int) *Plugin {
	name := firstChild(n)
	p := &Plugin{Pos: b.pos(n), NameEnd: b.end(name), Name: b.raw(name)}
	for a := b.tape[name].next; a < b.tape[n].next; a = b.tape[a].next {
		attrName := firstChild(a)
		attr := &Attribute{Pos: b.pos(a), NameEnd: b.end(attrName), Name: unquoteName(b.raw(attrName))}
		attr.Value = b.value(b.tape[attrName].next)
		attr.End = b.end(a)
		p.Attributes = append(p.Attributes, attr)
	}
	p.End = b.end(n)
	return p
}

// unquoteName strips the quotes from a quoted attribute name, taking the
// text between them as-is, as Logstash does.
func unquoteName(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// value reads what the value rule matched: a plugin, bareword, string,
// number, array or hash.
func (b *builder) value(n int) Value {
	switch b.tape[n].rule {
	case rulePlugin:
		return b.plugin(n)
	case ruleArray:
		a := &Array{Pos: b.pos(n), Items: []Value{}}
		for c := n + 1; c < b.tape[n].next; c = b.tape[c].next {
			a.Items = append(a.Items, b.value(c))
		}
		a.End = b.end(n)
		return a
	case ruleHash:
		return b.hash(n)
	}
	return b.scalar(n)
}

// scalar reads a bareword, string or number.
func (b *builder) scalar(n int) Value {
	switch b.tape[n].rule {
	case ruleString:
		return b.str(n)
	case ruleNumber:
		return b.number(n)
	}
	return &Bareword{Pos: b.pos(n), End: b.end(n), Value: b.raw(n)}
}

func (b *builder) hash(n int) *Hash {
	h := &Hash{Pos: b.pos(n), Entries: []*HashEntry{}}
	var raws []string
	count := map[string]int{}
	for e := n + 1; e < b.tape[n].next; e = b.tape[e].next {
		key := firstChild(e)
		raw := b.raw(key)
		raws = append(raws, raw)
		count[raw]++
		entry := &HashEntry{Pos: b.pos(e), Key: b.scalar(key)}
		entry.Value = b.value(b.tape[key].next)
		entry.End = b.end(e)
		h.Entries = append(h.Entries, entry)
	}
	h.End = b.end(n)
	var dups []string
	for _, r := range raws {
		if count[r] > 1 {
			dups = append(dups, r)
			count[r] = 0
		}
	}
	if len(dups) > 0 {
		d := b.errorf(h, "duplicate keys in hash: %s", strings.Join(dups, ", "))
		_, _, char := lineColumn(b.src, h.Pos.Offset)
		d.Detail = fmt.Sprintf("Duplicate keys found in your configuration: [%s]\nAt line: %d, column %d (byte %d)\nafter %s",
			strings.Join(dups, ", "), h.Pos.Line, h.Pos.Column, char+1, b.src[:h.Pos.Offset+1])
	}
	return h
}

func (b *builder) str(n int) *String {
	raw := b.raw(n)
	return &String{Pos: b.pos(n), End: b.end(n), Quote: raw[0], Value: unquote(raw, b.opts.SupportEscapes)}
}

// unquote takes the text between the quotes of a string literal, processing
// escapes the way config.support_escapes does when escapes is set.
func unquote(raw string, escapes bool) string {
	s := raw[1 : len(raw)-1]
	if !escapes || !strings.Contains(s, `\`) {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			out.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; c {
		case '"', '\'', '\\':
			out.WriteByte(c)
		case 'n':
			out.WriteByte('\n')
		case 'r':
			out.WriteByte('\r')
		case 't':
			out.WriteByte('\t')
		case '0':
			out.WriteByte(0)
		default:
			out.WriteByte('\\')
			out.WriteByte(c)
		}
		i++
	}
	return out.String()
}

// number converts a numeric literal with Ruby's Integer()/Float() rules.
func (b *builder) number(at int) *Number {
	raw := b.raw(at)
	n := &Number{Pos: b.pos(at), End: b.end(at), Raw: raw}
	if strings.Contains(raw, ".") {
		n.IsFloat = true
		if strings.HasSuffix(raw, ".") {
			d := b.errorf(n, "invalid number %s: a decimal point must be followed by digits", raw)
			d.Detail = fmt.Sprintf("invalid value for Float(): %q", raw)
			return n
		}
		// Like Ruby's Float(), a literal too large for a double becomes
		// infinity (ParseFloat's range error still returns it).
		n.Float, _ = strconv.ParseFloat(raw, 64)
		return n
	}
	digits := strings.TrimPrefix(raw, "-")
	base := 10
	if len(digits) > 1 && digits[0] == '0' {
		base = 8
		if strings.ContainsAny(digits, "89") {
			d := b.errorf(n, "invalid number %s: a leading 0 makes it octal, and octal has no 8 or 9", raw)
			d.Detail = fmt.Sprintf("invalid value for Integer(): %q", raw)
			return n
		}
	}
	if v, err := strconv.ParseInt(raw, base, 64); err == nil {
		n.Int = v
		return n
	}
	v, ok := new(big.Int).SetString(digits, base)
	if !ok {
		b.errorf(n, "invalid number %s", raw)
		return n
	}
	if raw[0] == '-' {
		v.Neg(v)
	}
	d := b.errorf(n, "integer %s does not fit in 64 bits; Logstash rejects it", raw)
	d.Detail = fmt.Sprintf("Invalid eValue %s with class java.math.BigInteger", v)
	return n
}

// boolOp is a boolean operator of a condition chain.
type boolOp struct {
	op string
	at Range
}

// operand is an expression of a condition chain and where its text ends,
// after any parentheses around it.
type operand struct {
	expr Expr
	end  Pos
}

// cond reads a condition: expression, then (boolean_operator expression)*,
// and builds the chain with Logstash's operator precedence.
func (b *builder) cond(n int) Expr {
	first := firstChild(n)
	e := b.expr(first)
	if b.tape[first].next == b.tape[n].next {
		return e // a single expression, the common case
	}
	operands := []operand{{e, b.end(first)}}
	var ops []boolOp
	for c := b.tape[first].next; c < b.tape[n].next; c = b.tape[c].next {
		if b.tape[c].rule == ruleBooleanOperator {
			ops = append(ops, boolOp{b.raw(c), Range{b.pos(c), b.end(c)}})
			continue
		}
		operands = append(operands, operand{b.expr(c), b.end(c)})
	}
	if len(ops) >= 2 {
		for _, op := range ops {
			if op.op == "xor" || op.op == "nand" {
				d := b.errorf(op.at, "%q cannot be mixed with other boolean operators without parentheses", op.op)
				d.Detail = fmt.Sprintf("Logstash fails to compile this condition (Unexpected operator %s); group it, e.g. `(a %s b) and c`", op.op, op.op)
				return operands[0].expr
			}
		}
	}
	e = joinConditions(operands, ops)
	if mixesAndOr(ops) {
		b.warnf(e, "`and` and `or` mixed without parentheses; Logstash groups this as %s", formatExpr(e, true))
	}
	return e
}

func mixesAndOr(ops []boolOp) bool {
	var and, or bool
	for _, op := range ops {
		and = and || op.op == "and"
		or = or || op.op == "or"
	}
	return and && or
}

// joinConditions reproduces Logstash's shunting-yard, which pops at most one
// operator when a lower-precedence one arrives (so `a and b and c or d` is
// `a and ((b and c) or d)`), then evaluates the RPN. A BoolExpr starts where
// its left operand does and ends where the text of its right one does.
func joinConditions(operands []operand, ops []boolOp) Expr {
	type item struct {
		operand
		op string
	}
	// and binds tighter than or; xor and nand, alone in a chain, bind
	// like neither.
	prec := func(op string) int {
		switch op {
		case "and":
			return 2
		case "or":
			return 1
		}
		return 0
	}
	out := make([]item, 1, len(operands)+len(ops))
	out[0] = item{operand: operands[0]}
	stack := make([]string, 0, len(ops))
	for i, op := range ops {
		if n := len(stack); n > 0 && prec(stack[n-1]) > prec(op.op) {
			out = append(out, item{op: stack[n-1]})
			stack = stack[:n-1]
		}
		stack = append(stack, op.op)
		out = append(out, item{operand: operands[i+1]})
	}
	for i := len(stack) - 1; i >= 0; i-- {
		out = append(out, item{op: stack[i]})
	}
	st := make([]operand, 0, len(operands))
	for _, it := range out {
		if it.op == "" {
			st = append(st, it.operand)
			continue
		}
		l, r := st[len(st)-2], st[len(st)-1]
		joined := &BoolExpr{Pos: l.expr.Position(), End: r.end, Op: it.op, Left: l.expr, Right: r.expr}
		st = append(st[:len(st)-2], operand{joined, r.end})
	}
	return st[0].expr
}

// expr reads an expression: a parenthesized condition, a negation, a
// binary expression (rvalue, operator, rvalue) or an rvalue.
func (b *builder) expr(n int) Expr {
	pos := b.pos(n)
	c := firstChild(n)
	switch b.tape[c].rule {
	case ruleCondition:
		return b.cond(c)
	case ruleNegativeExpression:
		x := firstChild(c)
		not := &NotExpr{Pos: pos}
		if b.tape[x].rule == ruleCondition {
			not.X = b.cond(x)
		} else {
			not.X = b.selector(x)
		}
		not.End = b.end(n)
		return not
	case ruleInExpression, ruleNotInExpression, ruleCompareExpression, ruleRegexpExpression:
	default:
		return b.rvalue(c)
	}
	left := firstChild(c)
	opAt := b.tape[left].next
	l, r := b.rvalue(left), b.rvalue(b.tape[opAt].next)
	end := b.end(n)
	switch b.tape[c].rule {
	case ruleInExpression, ruleNotInExpression:
		not := b.tape[c].rule == ruleNotInExpression
		b.warnListLike(l, r, not)
		return &InExpr{Pos: pos, End: end, Not: not, Left: l, Right: r}
	case ruleRegexpExpression:
		return &MatchExpr{Pos: pos, End: end, Op: b.raw(opAt), Left: l, Right: r}
	}
	return &CompareExpr{Pos: pos, End: end, Op: b.raw(opAt), Left: l, Right: r}
}

// warnListLike flags `[x] in ["a"]`: a one-element list in a condition is
// a field reference in Logstash, which is rarely what was meant when the
// element is quoted or a number.
func (b *builder) warnListLike(left, right Expr, not bool) {
	s, ok := right.(*Selector)
	if !ok || len(s.Path) != 1 {
		return
	}
	name := strings.TrimSpace(s.Path[0])
	if name == "" {
		return
	}
	if _, err := strconv.ParseFloat(name, 64); err != nil && name[0] != '"' && name[0] != '\'' {
		return
	}
	op := "=="
	if not {
		op = "!="
	}
	suggestion := "compare with " + op + ", or list two or more items"
	if sel, ok := left.(*Selector); ok {
		suggestion = fmt.Sprintf("write %s %s %s, or list two or more items", sel.Raw, op, name)
	}
	b.warnf(s, "%s is the field named %s here, not a one-item list: Logstash reads a one-element list in a condition as a field reference; %s",
		s.Raw, strconv.Quote(s.Path[0]), suggestion)
}

// rvalue reads what the rvalue rule matched: a string, number, selector,
// array, method call or regexp.
func (b *builder) rvalue(n int) Expr {
	switch b.tape[n].rule {
	case ruleString:
		return b.str(n)
	case ruleNumber:
		return b.number(n)
	case ruleSelector:
		return b.selector(n)
	case ruleRegexp:
		raw := b.raw(n)
		return &Regexp{Pos: b.pos(n), End: b.end(n), Pattern: unescapeSlashes(raw[1 : len(raw)-1])}
	case ruleArray:
		a := &ArrayExpr{Pos: b.pos(n), Items: []Expr{}}
		for c := n + 1; c < b.tape[n].next; c = b.tape[c].next {
			v := b.value(c)
			item, ok := v.(Expr)
			if !ok {
				b.errorf(v, "a plugin block cannot be a list item in a condition")
				continue
			}
			a.Items = append(a.Items, item)
		}
		a.End = b.end(n)
		return a
	}
	call := &String{Pos: b.pos(n), End: b.end(n)}
	d := b.errorf(call, "method call %s(...) in a condition: Logstash does not support method calls", b.raw(firstChild(n)))
	d.Detail = "Logstash fails to compile it: Exprs should only have one part!"
	return call
}

// selector splits `[a][b]` into its names; names cannot contain brackets.
func (b *builder) selector(n int) *Selector {
	raw := b.raw(n)
	return &Selector{Pos: b.pos(n), End: b.end(n), Raw: raw, Path: strings.Split(raw[1:len(raw)-1], "][")}
}

// unescapeSlashes turns `\/` into `/` where the backslash escapes the slash
// in regexp terms (an odd run of backslashes before it). Logstash hands the
// text between the slashes to the regexp engine as-is; dropping only such
// backslashes keeps the meaning (`a\/b` matches "a/b", `a\\/b` still means
// a backslash then a slash).
func unescapeSlashes(s string) string {
	out := make([]byte, 0, len(s))
	run := 0 // backslashes just before s[i]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '/' && run%2 == 1 {
			out = out[:len(out)-1]
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

// lineIndex turns byte offsets into positions. The builder asks for
// positions mostly in source order, so it remembers the last one and
// counts characters on from there.
type lineIndex struct {
	file   string
	src    []byte
	starts []int // the offset of each line's first byte
	// line (0-based), off and col are the last position returned.
	line, off, col int
}

func newLineIndex(file string, src []byte) *lineIndex {
	x := &lineIndex{file: file, src: src, starts: make([]int, 1, bytes.Count(src, []byte{'\n'})+1), col: 1}
	for i, c := range src {
		if c == '\n' {
			x.starts = append(x.starts, i+1)
		}
	}
	return x
}

func (x *lineIndex) pos(off int) Pos {
	line := x.line
	if x.onLine(line+1, off) {
		line++
	} else if !x.onLine(line, off) {
		line = sort.SearchInts(x.starts, off+1) - 1
	}
	from, col := x.starts[line], 1
	if line == x.line && off >= x.off {
		from, col = x.off, x.col
	}
	col += utf8.RuneCount(x.src[from:off])
	x.line, x.off, x.col = line, off, col
	return Pos{File: x.file, Offset: off, Line: line + 1, Column: col}
}

// onLine reports whether off is on the given line (0-based).
func (x *lineIndex) onLine(line, off int) bool {
	return line < len(x.starts) && x.starts[line] <= off && (line+1 == len(x.starts) || off < x.starts[line+1])
}
