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

type gStmt struct {
	Branch *gBranch `parser:"  @@"`
	Plugin *gPlugin `parser:"| @@"`
}

type gBranch struct {
	Pos     lexer.Position
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
	Pos   lexer.Position
	Name  string   `parser:"@(Word | String | Number)"`
	Attrs []*gAttr `parser:"'{' @@* '}'"`
}

type gAttr struct {
	Pos   lexer.Position
	Name  string  `parser:"@(Word | String | Number)"`
	Value *gValue `parser:"'=>' @@"`
}

type gValue struct {
	Pos      lexer.Position
	Plugin   *gPlugin `parser:"  @@"`
	Bareword *string  `parser:"| @Word"`
	String   *string  `parser:"| @String"`
	Number   *string  `parser:"| @Number"`
	Array    *gArray  `parser:"| @@"`
	Hash     *gHash   `parser:"| @@"`
}

type gArray struct {
	Pos   lexer.Position
	Items []*gValue `parser:"'[' ( @@ ( ',' @@ )* )? ']'"`
}

type gHash struct {
	Pos     lexer.Position
	Entries []*gHashEntry `parser:"'{' @@* '}'"`
}

type gHashEntry struct {
	Pos      lexer.Position
	Number   *string `parser:"(  @Number"`
	Bareword *string `parser:"| @Word"`
	String   *string `parser:"| @String )"`
	Value    *gValue `parser:"'=>' @@"`
}

type gCond struct {
	First *gExpr     `parser:"@@"`
	Rest  []*gBoolOp `parser:"@@*"`
}

type gBoolOp struct {
	Pos  lexer.Position
	Op   string `parser:"@('and' | 'or' | 'xor' | 'nand')"`
	Expr *gExpr `parser:"@@"`
}

type gExpr struct {
	Pos   lexer.Position
	Paren *gCond   `parser:"  '(' @@ ')'"`
	Not   *gNot    `parser:"| '!' @@"`
	Left  *gRvalue `parser:"| @@"`
	Tail  *gExprOp `parser:"@@?"`
}

type gNot struct {
	Pos      lexer.Position
	Paren    *gCond  `parser:"  '(' @@ ')'"`
	Selector *string `parser:"| @Selector"`
}

type gExprOp struct {
	Pos   lexer.Position
	Not   bool     `parser:"( @'not' 'in'"`
	Op    string   `parser:"| @('in' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '=~' | '!~') )"`
	Right *gRvalue `parser:"@@"`
}

type gRvalue struct {
	Pos      lexer.Position
	String   *string  `parser:"  @String"`
	Number   *string  `parser:"| @Number"`
	Selector *string  `parser:"| @Selector"`
	Array    *gArray  `parser:"| @@"`
	Method   *gMethod `parser:"| @@"`
	Regexp   *string  `parser:"| @Regexp"`
}

type gMethod struct {
	Pos  lexer.Position
	Name string     `parser:"@Word '('"`
	Args []*gRvalue `parser:"( @@ ( ',' @@ )* )? ')'"`
}

var lscParser = participle.MustBuild[gConfig](
	participle.Lexer(lscLexerDef{symbols: tokenSymbols}),
	participle.UseLookahead(4),
)
