package lang

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
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
	f, keywords := recognize(src)
	if f != nil && f.TooDeep {
		d := Errorf(Pos{File: filename, Offset: f.Offset, Line: f.Line, Column: f.Column},
			"the config nests too deeply here for gostash to parse")
		d.Source = src
		return nil, Diagnostics{d}
	}
	if f != nil {
		return nil, Diagnostics{syntaxDiagnostic(filename, src, f)}
	}
	tree, err := buildTree(filename, src, keywords, tr)
	if err != nil {
		// The participle grammar builds everything the recognizer accepts
		// (FuzzParse checks that); if it ever does not, report it at a
		// location instead of failing obscurely.
		pos := Pos{File: filename, Line: 1, Column: 1}
		if pe, ok := err.(interface{ Position() lexer.Position }); ok {
			pos = toPos(pe.Position())
		}
		d := Errorf(pos, "gostash cannot build this valid config (please report it): %s", participleMessage(err))
		d.Source = src
		return nil, Diagnostics{d}
	}
	b := &builder{file: filename, src: src, opts: opts}
	cfg := b.config(tree)
	for _, d := range b.diags {
		d.Source = src
	}
	if b.diags.HasErrors() {
		return nil, b.diags
	}
	return cfg, b.diags
}

// participleMessage strips participle's own position prefix; the
// diagnostic carries the position.
func participleMessage(err error) string {
	if pe, ok := err.(interface{ Message() string }); ok {
		return pe.Message()
	}
	return err.Error()
}

func toPos(p lexer.Position) Pos {
	return Pos{File: p.Filename, Offset: p.Offset, Line: p.Line, Column: p.Column}
}

// syntaxDiagnostic turns treetop's explanation into a located diagnostic:
// a human summary, and Logstash's own message as the detail.
func syntaxDiagnostic(filename string, src []byte, f *treetopFailure) *Diagnostic {
	pos := Pos{File: filename, Offset: f.Offset, Line: f.Line, Column: f.Column}
	d := Errorf(pos, "%s", syntaxSummary(src, f))
	d.Detail = f.Message()
	d.Source = src
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

// builder converts the participle tree into the public AST and collects the
// problems Logstash's compiler stage would report.
type builder struct {
	file  string
	src   []byte
	opts  ParseOptions
	diags Diagnostics
}

func (b *builder) errorf(pos lexer.Position, format string, args ...any) *Diagnostic {
	d := Errorf(toPos(pos), format, args...)
	b.diags = append(b.diags, d)
	return d
}

func (b *builder) warnf(pos Pos, format string, args ...any) *Diagnostic {
	d := Warnf(pos, format, args...)
	b.diags = append(b.diags, d)
	return d
}

func (b *builder) config(g *gConfig) *Config {
	c := &Config{Pos: Pos{File: b.file, Line: 1, Column: 1}, SupportEscapes: b.opts.SupportEscapes}
	for _, s := range g.Sections {
		sec := &Section{Pos: toPos(s.Pos), Kind: SectionKind(s.Kind), Body: b.stmts(s.Body)}
		if sec.Kind == InputSection {
			b.warnInputConditionals(sec.Body)
		}
		c.Sections = append(c.Sections, sec)
	}
	return c
}

func (b *builder) warnInputConditionals(body []Statement) {
	for _, st := range body {
		if br, ok := st.(*Branch); ok {
			b.warnf(br.Pos, "conditional inside an input section: Logstash starts every input plugin in it regardless of the condition")
		}
	}
}

func (b *builder) stmts(gs []*gStmt) []Statement {
	var out []Statement
	for _, s := range gs {
		if s.Branch != nil {
			out = append(out, b.branch(s.Branch))
			continue
		}
		p := b.plugin(s.Plugin)
		switch {
		case p.Name == "else":
			b.warnf(p.Pos, "`else` without an `if` right before it: Logstash reads it as a plugin named \"else\"")
		case strings.HasPrefix(p.Name, `"`) || strings.HasPrefix(p.Name, `'`):
			b.warnf(p.Pos, "quoted plugin name %s: Logstash keeps the quotes as part of the name", p.Name)
		}
		out = append(out, p)
	}
	return out
}

func (b *builder) branch(g *gBranch) *Branch {
	br := &Branch{Pos: toPos(g.If.Pos)}
	br.Cases = append(br.Cases, &Case{Pos: toPos(g.If.Pos), Cond: b.cond(g.If.Cond), Body: b.stmts(g.If.Body)})
	for _, e := range g.ElseIfs {
		br.Cases = append(br.Cases, &Case{Pos: toPos(e.Pos), Cond: b.cond(e.Cond), Body: b.stmts(e.Body)})
	}
	if g.Else != nil {
		br.Else = &Block{Pos: toPos(g.Else.Pos), Body: b.stmts(g.Else.Body)}
	}
	return br
}

func (b *builder) plugin(g *gPlugin) *Plugin {
	p := &Plugin{Pos: toPos(g.Pos), Name: g.Name}
	for _, a := range g.Body.Attrs {
		p.Attributes = append(p.Attributes, &Attribute{Pos: toPos(a.Pos), Name: unquoteName(a.Name), Value: b.value(a.Value)})
	}
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

func (b *builder) value(g *gValue) Value {
	switch {
	case g.Body != nil:
		return b.plugin(&gPlugin{Pos: g.Pos, Name: *g.Scalar, Body: g.Body})
	case g.Scalar != nil:
		return b.scalar(g.Pos, *g.Scalar)
	case g.Array != nil:
		return b.array(g.Array)
	default:
		return b.hash(g.Hash)
	}
}

// scalar classifies a Scalar token the way the grammar's ordered choice
// did: a quoted string, a number, or a bareword.
func (b *builder) scalar(pos lexer.Position, raw string) Value {
	switch {
	case raw[0] == '"' || raw[0] == '\'':
		return b.str(pos, raw)
	case numberLen(raw) == len(raw):
		return b.number(pos, raw)
	}
	return &Bareword{Pos: toPos(pos), Value: raw}
}

func (b *builder) array(g *gArray) *Array {
	a := &Array{Pos: toPos(g.Pos), Items: []Value{}}
	for _, v := range g.Items {
		a.Items = append(a.Items, b.value(v))
	}
	return a
}

func (b *builder) hash(g *gHash) *Hash {
	h := &Hash{Pos: toPos(g.Pos), Entries: []*HashEntry{}}
	var raws []string
	count := map[string]int{}
	for _, e := range g.Entries {
		raw := e.Key
		key := b.scalar(e.Pos, raw)
		raws = append(raws, raw)
		count[raw]++
		h.Entries = append(h.Entries, &HashEntry{Pos: toPos(e.Pos), Key: key, Value: b.value(e.Value)})
	}
	var dups []string
	for _, r := range raws {
		if count[r] > 1 {
			dups = append(dups, r)
			count[r] = 0
		}
	}
	if len(dups) > 0 {
		d := b.errorf(g.Pos, "duplicate keys in hash: %s", strings.Join(dups, ", "))
		_, _, char := lineColumn(b.src, g.Pos.Offset)
		d.Detail = fmt.Sprintf("Duplicate keys found in your configuration: [%s]\nAt line: %d, column %d (byte %d)\nafter %s",
			strings.Join(dups, ", "), g.Pos.Line, g.Pos.Column, char+1, b.src[:g.Pos.Offset+1])
	}
	return h
}

func (b *builder) str(pos lexer.Position, raw string) *String {
	return &String{Pos: toPos(pos), Quote: raw[0], Value: unquote(raw, b.opts.SupportEscapes)}
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
func (b *builder) number(pos lexer.Position, raw string) *Number {
	n := &Number{Pos: toPos(pos), Raw: raw}
	if strings.Contains(raw, ".") {
		n.IsFloat = true
		if strings.HasSuffix(raw, ".") {
			d := b.errorf(pos, "invalid number %s: a decimal point must be followed by digits", raw)
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
			d := b.errorf(pos, "invalid number %s: a leading 0 makes it octal, and octal has no 8 or 9", raw)
			d.Detail = fmt.Sprintf("invalid value for Integer(): %q", raw)
			return n
		}
	}
	v, ok := new(big.Int).SetString(digits, base)
	if !ok {
		b.errorf(pos, "invalid number %s", raw)
		return n
	}
	if raw[0] == '-' {
		v.Neg(v)
	}
	if !v.IsInt64() {
		d := b.errorf(pos, "integer %s does not fit in 64 bits; Logstash rejects it", raw)
		d.Detail = fmt.Sprintf("Invalid eValue %s with class java.math.BigInteger", v)
		return n
	}
	n.Int = v.Int64()
	return n
}

// cond builds a condition chain with Logstash's operator precedence.
func (b *builder) cond(g *gCond) Expr {
	ops := g.Rest
	operands := []Expr{b.expr(g.First)}
	for _, r := range ops {
		operands = append(operands, b.expr(r.Expr))
	}
	if len(ops) == 0 {
		return operands[0]
	}
	if len(ops) >= 2 {
		for _, op := range ops {
			if op.Op == "xor" || op.Op == "nand" {
				d := b.errorf(op.Pos, "%q cannot be mixed with other boolean operators without parentheses", op.Op)
				d.Detail = fmt.Sprintf("Logstash fails to compile this condition (Unexpected operator %s); group it, e.g. `(a %s b) and c`", op.Op, op.Op)
				return operands[0]
			}
		}
	}
	e := joinConditions(operands, ops)
	if mixesAndOr(ops) {
		b.warnf(e.Position(), "`and` and `or` mixed without parentheses; Logstash groups this as %s", formatExpr(e, true))
	}
	return e
}

func mixesAndOr(ops []*gBoolOp) bool {
	var and, or bool
	for _, op := range ops {
		and = and || op.Op == "and"
		or = or || op.Op == "or"
	}
	return and && or
}

// joinConditions reproduces Logstash's shunting-yard, which pops at most one
// operator when a lower-precedence one arrives (so `a and b and c or d` is
// `a and ((b and c) or d)`), then evaluates the RPN.
func joinConditions(operands []Expr, ops []*gBoolOp) Expr {
	type item struct {
		expr Expr
		op   *gBoolOp
	}
	prec := map[string]int{"and": 2, "or": 1}
	out := []item{{expr: operands[0]}}
	var stack []*gBoolOp
	for i, op := range ops {
		if n := len(stack); n > 0 && prec[stack[n-1].Op] > prec[op.Op] {
			out = append(out, item{op: stack[n-1]})
			stack = stack[:n-1]
		}
		stack = append(stack, op)
		out = append(out, item{expr: operands[i+1]})
	}
	for i := len(stack) - 1; i >= 0; i-- {
		out = append(out, item{op: stack[i]})
	}
	var st []Expr
	for _, it := range out {
		if it.op == nil {
			st = append(st, it.expr)
			continue
		}
		l, r := st[len(st)-2], st[len(st)-1]
		st = append(st[:len(st)-2], &BoolExpr{Pos: l.Position(), Op: it.op.Op, Left: l, Right: r})
	}
	return st[0]
}

func (b *builder) expr(g *gExpr) Expr {
	switch {
	case g.Paren != nil:
		return b.cond(g.Paren)
	case g.Not != nil:
		if g.Not.Paren != nil {
			return &NotExpr{Pos: toPos(g.Pos), X: b.cond(g.Not.Paren)}
		}
		return &NotExpr{Pos: toPos(g.Pos), X: b.selector(g.Not.Pos, *g.Not.Selector)}
	}
	left := b.rvalue(g.Left)
	if g.Tail == nil {
		return left
	}
	right := b.rvalue(g.Tail.Right)
	pos := toPos(g.Pos)
	switch op := g.Tail.Op; {
	case op == "in" || op == "not in":
		not := op == "not in"
		b.warnListLike(left, right, not)
		return &InExpr{Pos: pos, Not: not, Left: left, Right: right}
	case op == "=~" || op == "!~":
		return &MatchExpr{Pos: pos, Op: op, Left: left, Right: right}
	default:
		return &CompareExpr{Pos: pos, Op: op, Left: left, Right: right}
	}
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
	b.warnf(s.Pos, "%s is the field named %s here, not a one-item list: Logstash reads a one-element list in a condition as a field reference; %s",
		s.Raw, strconv.Quote(s.Path[0]), suggestion)
}

func (b *builder) rvalue(g *gRvalue) Expr {
	switch {
	case g.Operand != nil:
		return b.operand(g.Pos, *g.Operand)
	case g.Array != nil:
		a := &ArrayExpr{Pos: toPos(g.Pos), Items: []Expr{}}
		for _, v := range g.Array.Items {
			val := b.value(v)
			item, ok := val.(Expr)
			if !ok {
				b.errorf(v.Pos, "a plugin block cannot be a list item in a condition")
				continue
			}
			a.Items = append(a.Items, item)
		}
		return a
	default:
		d := b.errorf(g.Pos, "method call %s(...) in a condition: Logstash does not support method calls", g.Method.Name)
		d.Detail = "Logstash fails to compile it: Exprs should only have one part!"
		return &String{Pos: toPos(g.Pos)}
	}
}

// operand classifies an Operand token by its first character.
func (b *builder) operand(pos lexer.Position, raw string) Expr {
	switch raw[0] {
	case '"', '\'':
		return b.str(pos, raw)
	case '/':
		return &Regexp{Pos: toPos(pos), Pattern: unescapeSlashes(raw[1 : len(raw)-1])}
	case '[':
		return b.selector(pos, raw)
	}
	return b.number(pos, raw)
}

// selector splits `[a][b]` into its names; names cannot contain brackets.
func (b *builder) selector(pos lexer.Position, raw string) *Selector {
	return &Selector{Pos: toPos(pos), Raw: raw, Path: strings.Split(raw[1:len(raw)-1], "][")}
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
