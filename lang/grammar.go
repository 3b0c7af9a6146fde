package lang

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar. It is deliberately a little more permissive than
// LSCL about whitespace (the lexer drops it); the treetop recognizer in
// peg.go has accepted the text before this grammar runs, so these structs
// only have to give accepted configs their tree.

type gConfig struct {
	Sections []*gSection `parser:"@@*"`
}

type gSection struct {
	Pos  lexer.Position
	Kind string   `parser:"@('input' | 'filter' | 'output')"`
	Body []*gStmt `parser:"'{' @@* '}'"`
}

// Plugins come first: they are the common case, and a plugin name is a
// Scalar while the lexer emits `if` as a keyword Word only where the
// recognizer's accepted parse has a branch.
type gStmt struct {
	Plugin *gPlugin `parser:"  @@"`
	Branch *gBranch `parser:"| @@"`
}

type gBranch struct {
	If      *gIf     `parser:"@@"`
	ElseIfs []*gElif `parser:"@@*"`
	Else    *gElse   `parser:"@@?"`
}

type gIf struct {
	Pos  lexer.Position
	Cond *gCond   `parser:"'if' @@"`
	Body []*gStmt `parser:"'{' @@* '}'"`
}

type gElif struct {
	Pos  lexer.Position
	Cond *gCond   `parser:"'else' 'if' @@"`
	Body []*gStmt `parser:"'{' @@* '}'"`
}

type gElse struct {
	Pos  lexer.Position
	Body []*gStmt `parser:"'else' '{' @@* '}'"`
}

type gPlugin struct {
	Pos  lexer.Position
	Name string       `parser:"@Scalar"`
	Body *gPluginBody `parser:"@@"`
}

type gCond struct {
	First *gExpr     `parser:"@@"`
	Rest  []*gBoolOp `parser:"@@*"`
}

type gBoolOp struct {
	Pos  lexer.Position
	Op   string `parser:"@BoolOp"`
	Expr *gExpr `parser:"@@"`
}

// gExpr tries the common case, an rvalue with an optional operator, first.
type gExpr struct {
	Pos   lexer.Position
	Left  *gRvalue `parser:"  @@"`
	Tail  *gExprOp `parser:"  @@?"`
	Paren *gCond   `parser:"| '(' @@ ')'"`
	Not   *gNot    `parser:"| '!' @@"`
}

type gNot struct {
	Pos      lexer.Position
	Paren    *gCond  `parser:"  '(' @@ ')'"`
	Selector *string `parser:"| @Operand"`
}

type gExprOp struct {
	Op    string   `parser:"@CmpOp"`
	Right *gRvalue `parser:"@@"`
}

type gRvalue struct {
	Pos     lexer.Position
	Operand *string  `parser:"  @Operand"`
	Array   *gArray  `parser:"| @@"`
	Method  *gMethod `parser:"| @@"`
}

type gMethod struct {
	Name string     `parser:"@Word '('"`
	Args []*gRvalue `parser:"( @@ ( ',' @@ )* )? ')'"`
}

// Plugin bodies — attributes and their values — are most of a config's
// tokens. participle's generic struct matching costs about fifteen
// allocations a token, so these nodes implement participle.Parseable and
// read their tokens directly, which halves the allocations of parsing a
// large config. The shapes, in participle's notation:
//
//	gPluginBody := "{" gAttr* "}"
//	gAttr       := Scalar "=>" gValue
//	gValue      := Scalar gPluginBody? | gArray | gHash
//	gArray      := "[" ( gValue ( "," gValue )* )? "]"
//	gHash       := "{" ( Scalar "=>" gValue )* "}"

type gPluginBody struct {
	Attrs []*gAttr
}

type gAttr struct {
	Pos   lexer.Position
	Name  string
	Value *gValue
}

type gValue struct {
	Pos    lexer.Position
	Scalar *string
	Body   *gPluginBody
	Array  *gArray
	Hash   *gHash
}

type gArray struct {
	Pos   lexer.Position
	Items []*gValue
}

type gHash struct {
	Pos     lexer.Position
	Entries []*gHashEntry
}

type gHashEntry struct {
	Pos   lexer.Position
	Key   string
	Value *gValue
}

func isPunct(t *lexer.Token, s string) bool { return t.Type == tokPunct && t.Value == s }

func expectPunct(lex *lexer.PeekingLexer, s string) error {
	if t := lex.Next(); !isPunct(t, s) {
		return participle.Errorf(t.Pos, "expected %q, found %q", s, t.Value)
	}
	return nil
}

func (b *gPluginBody) Parse(lex *lexer.PeekingLexer) error {
	if !isPunct(lex.Peek(), "{") {
		return participle.NextMatch
	}
	lex.Next()
	for {
		t := lex.Next()
		if isPunct(t, "}") {
			return nil
		}
		if t.Type != tokScalar {
			return participle.Errorf(t.Pos, "expected an attribute name, found %q", t.Value)
		}
		a := &gAttr{Pos: t.Pos, Name: t.Value, Value: &gValue{}}
		if err := expectPunct(lex, "=>"); err != nil {
			return err
		}
		if err := a.Value.Parse(lex); err != nil {
			return err
		}
		b.Attrs = append(b.Attrs, a)
	}
}

func (a *gArray) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if !isPunct(t, "[") {
		return participle.NextMatch
	}
	lex.Next()
	a.Pos = t.Pos
	if isPunct(lex.Peek(), "]") {
		lex.Next()
		return nil
	}
	for {
		item := &gValue{}
		if err := item.Parse(lex); err != nil {
			return err
		}
		a.Items = append(a.Items, item)
		if next := lex.Next(); isPunct(next, "]") {
			return nil
		} else if !isPunct(next, ",") {
			return participle.Errorf(next.Pos, "expected \",\" or \"]\", found %q", next.Value)
		}
	}
}

func (v *gValue) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	v.Pos = t.Pos
	switch {
	case t.Type == tokScalar:
		lex.Next()
		v.Scalar = &t.Value
		if isPunct(lex.Peek(), "{") {
			v.Body = &gPluginBody{}
			return v.Body.Parse(lex)
		}
		return nil
	case isPunct(t, "["):
		v.Array = &gArray{}
		return v.Array.Parse(lex)
	case isPunct(t, "{"):
		lex.Next()
		v.Hash = &gHash{Pos: t.Pos}
		for {
			k := lex.Next()
			if isPunct(k, "}") {
				return nil
			}
			if k.Type != tokScalar {
				return participle.Errorf(k.Pos, "expected a hash key, found %q", k.Value)
			}
			e := &gHashEntry{Pos: k.Pos, Key: k.Value, Value: &gValue{}}
			if err := expectPunct(lex, "=>"); err != nil {
				return err
			}
			if err := e.Value.Parse(lex); err != nil {
				return err
			}
			v.Hash.Entries = append(v.Hash.Entries, e)
		}
	}
	return participle.NextMatch
}

// buildTree runs the participle grammar over an accepted config, with the
// branch keywords the recognizer found. A non-nil tr receives the comments
// and bracket pairs.
func buildTree(filename string, src []byte, keywords []keywordMark, tr *trivia) (*gConfig, error) {
	lex, err := lexer.Upgrade(newLexer(filename, src, keywords, tr))
	if err != nil {
		return nil, err
	}
	return lscParser.ParseFromLexer(lex)
}

var lscParser = participle.MustBuild[gConfig](
	participle.Lexer(lscLexerDef{symbols: tokenSymbols}),
	participle.UseLookahead(4),
)
