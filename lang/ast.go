package lang

import "fmt"

// Pos is a position in a config source. Line and Column are 1-based; Column
// counts characters (runes), like Logstash's error messages. Offset is the
// 0-based byte offset.
type Pos struct {
	File   string
	Offset int
	Line   int
	Column int
}

// String is file:line:column, or just the file name when Line is 0 (a
// problem with the file as a whole).
func (p Pos) String() string {
	if p.Line == 0 && p.File != "" {
		return p.File
	}
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Range is the stretch of a source a node or a diagnostic is about: from
// Start to End, the position just after its last character, in the same
// file. A Range whose End has no line is the single point Start.
type Range struct {
	Start, End Pos
}

// Span returns r itself, so that a Range is Located.
func (r Range) Span() Range { return r }

// Span is the point p, so that a Pos is Located.
func (p Pos) Span() Range { return Range{Start: p} }

// Located is what a diagnostic can be about: a Pos, a Range, or any node of
// the tree (which spans its whole text).
type Located interface {
	Span() Range
}

// Every node has Pos, where its text starts, and End, the position just
// after it; Span returns both as a Range.

// Config is one parsed source (one file, or one -e string).
type Config struct {
	Pos      Pos
	End      Pos
	Sections []*Section
	// SupportEscapes records whether string values had escapes processed
	// (ParseOptions.SupportEscapes), so Format can write them back.
	SupportEscapes bool
}

// SectionKind is input, filter or output.
type SectionKind string

const (
	InputSection  SectionKind = "input"
	FilterSection SectionKind = "filter"
	OutputSection SectionKind = "output"
)

// Section is `input { ... }`, `filter { ... }` or `output { ... }`.
type Section struct {
	Pos  Pos
	End  Pos
	Kind SectionKind
	Body []Statement
}

// Statement is a *Plugin or a *Branch.
type Statement interface {
	Position() Pos
	Span() Range
	statement()
}

// Plugin is `name { attr => value ... }`. Name keeps surrounding quotes when
// the source quoted it, because Logstash does not strip them for plugin names.
type Plugin struct {
	Pos        Pos
	End        Pos
	NameEnd    Pos // just after the name
	Name       string
	Attributes []*Attribute
}

// Attribute is `name => value`. Quotes around the name are stripped.
type Attribute struct {
	Pos     Pos
	End     Pos
	NameEnd Pos // just after the name (and its quotes)
	Name    string
	Value   Value
}

// Branch is an if / else if / else chain. Cases holds the `if` and each
// `else if` in order; Else is nil when there is no `else`.
type Branch struct {
	Pos   Pos
	End   Pos
	Cases []*Case
	Else  *Block
}

// Case is one `if COND { ... }` or `else if COND { ... }`.
type Case struct {
	Pos  Pos
	End  Pos
	Cond Expr
	Body []Statement
}

// Block is the body of an `else`.
type Block struct {
	Pos  Pos
	End  Pos
	Body []Statement
}

func (p *Plugin) Position() Pos { return p.Pos }
func (b *Branch) Position() Pos { return b.Pos }

// NameSpan is the plugin's name as written.
func (p *Plugin) NameSpan() Range { return Range{p.Pos, p.NameEnd} }

// NameSpan is the attribute's name as written.
func (a *Attribute) NameSpan() Range { return Range{a.Pos, a.NameEnd} }

func (c *Config) Span() Range    { return Range{c.Pos, c.End} }
func (s *Section) Span() Range   { return Range{s.Pos, s.End} }
func (p *Plugin) Span() Range    { return Range{p.Pos, p.End} }
func (a *Attribute) Span() Range { return Range{a.Pos, a.End} }
func (b *Branch) Span() Range    { return Range{b.Pos, b.End} }
func (c *Case) Span() Range      { return Range{c.Pos, c.End} }
func (b *Block) Span() Range     { return Range{b.Pos, b.End} }
func (*Plugin) statement()       {}
func (*Branch) statement()       {}

// Value is an attribute value: *String, *Bareword, *Number, *Array, *Hash or
// *Plugin (a plugin value such as `codec => json { ... }`).
type Value interface {
	Position() Pos
	Span() Range
	value()
}

// String is a quoted string. Value is the text between the quotes, with
// escapes processed only when config.support_escapes was on at parse time.
// Quote is '"' or '\”.
type String struct {
	Pos   Pos
	End   Pos
	Value string
	Quote byte
}

// Bareword is an unquoted word of two or more characters, such as `json` or `true`.
type Bareword struct {
	Pos   Pos
	End   Pos
	Value string
}

// Number is a numeric literal. Raw is the source text; exactly one of IsFloat
// (Float holds the value) or !IsFloat (Int holds the value, with Ruby's
// leading-zero-is-octal rule applied) is meaningful.
type Number struct {
	Pos     Pos
	End     Pos
	Raw     string
	IsFloat bool
	Int     int64
	Float   float64
}

// Array is `[v, v, ...]`.
type Array struct {
	Pos   Pos
	End   Pos
	Items []Value
}

// Hash is `{ k => v k => v }`. Keys are *String, *Bareword or *Number.
type Hash struct {
	Pos     Pos
	End     Pos
	Entries []*HashEntry
}

// HashEntry is one `key => value` of a Hash.
type HashEntry struct {
	Pos   Pos
	End   Pos
	Key   Value
	Value Value
}

func (v *String) Position() Pos   { return v.Pos }
func (v *Bareword) Position() Pos { return v.Pos }
func (v *Number) Position() Pos   { return v.Pos }
func (v *Array) Position() Pos    { return v.Pos }
func (v *Hash) Position() Pos     { return v.Pos }
func (v *String) Span() Range     { return Range{v.Pos, v.End} }
func (v *Bareword) Span() Range   { return Range{v.Pos, v.End} }
func (v *Number) Span() Range     { return Range{v.Pos, v.End} }
func (v *Array) Span() Range      { return Range{v.Pos, v.End} }
func (v *Hash) Span() Range       { return Range{v.Pos, v.End} }
func (e *HashEntry) Span() Range  { return Range{e.Pos, e.End} }
func (*String) value()            {}
func (*Bareword) value()          {}
func (*Number) value()            {}
func (*Array) value()             {}
func (*Hash) value()              {}
func (*Plugin) value()            {}

// Expr is a condition: *BoolExpr, *NotExpr, *CompareExpr, *MatchExpr,
// *InExpr, or an rvalue (*Selector, *String, *Number, *ArrayExpr, *Regexp).
// Parentheses leave no node of their own; BoolExpr trees already encode
// Logstash's (quirky) operator precedence.
type Expr interface {
	Position() Pos
	Span() Range
	expr()
}

// BoolExpr is `L and|or|xor|nand R`.
type BoolExpr struct {
	Pos   Pos
	End   Pos
	Op    string
	Left  Expr
	Right Expr
}

// NotExpr is `!X`, where X is a selector or a parenthesized condition.
type NotExpr struct {
	Pos Pos
	End Pos
	X   Expr
}

// CompareExpr is `L op R` with op one of == != < > <= >=.
type CompareExpr struct {
	Pos   Pos
	End   Pos
	Op    string
	Left  Expr
	Right Expr
}

// MatchExpr is `L =~ R` or `L !~ R`; Right is a *Regexp or a *String.
type MatchExpr struct {
	Pos   Pos
	End   Pos
	Op    string
	Left  Expr
	Right Expr
}

// InExpr is `L in R`, or `L not in R` when Not is set.
type InExpr struct {
	Pos   Pos
	End   Pos
	Not   bool
	Left  Expr
	Right Expr
}

// Selector is a field reference in a condition: `[a][b]`. Path holds the
// bracketed names in order; Raw is the source text.
type Selector struct {
	Pos  Pos
	End  Pos
	Raw  string
	Path []string
}

// ArrayExpr is a list constant in a condition (two or more items: a
// one-item bracket is a Selector, as in Logstash).
type ArrayExpr struct {
	Pos   Pos
	End   Pos
	Items []Expr
}

// Regexp is a `/pattern/` literal; Pattern has `\/` unescaped to `/` where
// that backslash escaped the slash (so `\\/`, an escaped backslash and a
// slash, stays as it is and means what it means to Logstash).
type Regexp struct {
	Pos     Pos
	End     Pos
	Pattern string
}

func (e *BoolExpr) Position() Pos    { return e.Pos }
func (e *NotExpr) Position() Pos     { return e.Pos }
func (e *CompareExpr) Position() Pos { return e.Pos }
func (e *MatchExpr) Position() Pos   { return e.Pos }
func (e *InExpr) Position() Pos      { return e.Pos }
func (e *Selector) Position() Pos    { return e.Pos }
func (e *ArrayExpr) Position() Pos   { return e.Pos }
func (e *Regexp) Position() Pos      { return e.Pos }
func (e *BoolExpr) Span() Range      { return Range{e.Pos, e.End} }
func (e *NotExpr) Span() Range       { return Range{e.Pos, e.End} }
func (e *CompareExpr) Span() Range   { return Range{e.Pos, e.End} }
func (e *MatchExpr) Span() Range     { return Range{e.Pos, e.End} }
func (e *InExpr) Span() Range        { return Range{e.Pos, e.End} }
func (e *Selector) Span() Range      { return Range{e.Pos, e.End} }
func (e *ArrayExpr) Span() Range     { return Range{e.Pos, e.End} }
func (e *Regexp) Span() Range        { return Range{e.Pos, e.End} }
func (*BoolExpr) expr()              {}
func (*NotExpr) expr()               {}
func (*CompareExpr) expr()           {}
func (*MatchExpr) expr()             {}
func (*InExpr) expr()                {}
func (*Selector) expr()              {}
func (*ArrayExpr) expr()             {}
func (*Regexp) expr()                {}
func (*String) expr()                {}
func (*Number) expr()                {}

// Items of a list constant in a condition are attribute values, so a
// bareword, nested list or hash may appear there too.
func (*Bareword) expr() {}
func (*Array) expr()    {}
func (*Hash) expr()     {}
