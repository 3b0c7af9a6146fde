package lang

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// LSCL cannot be tokenized without knowing where in the grammar the text is:
// `["a"]` is a field reference inside a condition but an array in an
// attribute value, `#` starts a comment except inside a selector or string,
// and keywords need no word boundary (`elseif`, `[a]and[b]`). So the lexer
// keeps a stack of contexts that mirrors the brace structure, and the
// participle grammar (grammar.go) sees tokens that already mean the right
// thing. Whitespace and comments are dropped: the treetop recognizer
// (peg.go) has already enforced every whitespace rule by the time
// participle runs. Only a parse for the formatter asks the lexer to keep
// the comments, and where each bracket closes, on the side (trivia).
//
// Whether a statement starting with "if" or "else" is a branch or a plugin
// (`if0 {}` is `if 0 {}`, `if0 { x => 1 }` a plugin named "if0", `else {}`
// after an else a plugin named "else") depends on whether the whole branch
// parses, which only a backtracking parser knows. The recognizer reports
// where the branches it accepted put their keywords, and the lexer follows.

// Token types. A Scalar (outside conditions: a name, bareword, number or
// string) and an Operand (in a condition: a string, number, selector or
// regexp) are told apart by their first characters when the tree is built;
// one token type each keeps the participle grammar free of alternatives on
// its hottest paths.
const (
	tokEOF lexer.TokenType = lexer.EOF - iota
	tokScalar
	tokOperand
	tokWord   // keywords and method names
	tokCmpOp  // == != <= >= < > =~ !~ in, and "not in"
	tokBoolOp // and or xor nand
	tokPunct
)

var tokenSymbols = map[string]lexer.TokenType{
	"EOF":     tokEOF,
	"Scalar":  tokScalar,
	"Operand": tokOperand,
	"Word":    tokWord,
	"CmpOp":   tokCmpOp,
	"BoolOp":  tokBoolOp,
	"Punct":   tokPunct,
}

// lscLexerDef is the participle lexer definition for LSCL. It carries the
// symbol table so that package initialization orders tokenSymbols first.
type lscLexerDef struct{ symbols map[string]lexer.TokenType }

func (d lscLexerDef) Symbols() map[string]lexer.TokenType { return d.symbols }

func (d lscLexerDef) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexBytes(filename, src)
}

// LexBytes lexes a config on its own, asking the recognizer where the
// branch keywords are (Parse has done that already and calls newLexer).
func (lscLexerDef) LexBytes(filename string, src []byte) (lexer.Lexer, error) {
	_, keywords := recognize(src)
	return newLexer(filename, src, keywords, nil), nil
}

type lexMode uint8

const (
	modeTop   lexMode = iota // between sections
	modeStmts                // plugins and branches
	modeAttrs                // a plugin's attributes
	modeHash                 // a hash's entries
	modeArray                // an array's items
	modeCond                 // an if condition
)

// lexFrame is one open brace or bracket. Within attributes, hashes and
// arrays the same text reads differently as a name or key than as a value
// (`0A0` is a name, but as a value it is the number 0 followed by the hash
// key A0), so the frame tracks which comes next.
type lexFrame struct {
	mode        lexMode
	expectValue bool
	// open is the offset of the `{` or `[` that opened the frame, or of
	// the `if` that opened a condition.
	open int
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

// collect records the comments in src[from:to], a stretch of whitespace
// and comments.
func (t *trivia) collect(src []byte, from, to int) {
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

// closed records that the bracket (or condition) opened at open ends at close.
func (t *trivia) closed(open, close int) {
	if t != nil {
		t.closes[open] = close
	}
}

type lscLexer struct {
	filename string
	src      []byte
	text     string // src as a string, so token values share its memory
	pos      int
	line     int
	col      int

	stack []lexFrame
	// trivia, when not nil, receives the comments and bracket pairs.
	trivia *trivia
	// keywords are the branch keywords the recognizer accepted, in order;
	// nextKeyword indexes the first one not yet passed.
	keywords    []keywordMark
	nextKeyword int
	// braceOpensBranch: the next `{` in a statement list opens an else body
	// rather than a plugin's attributes.
	braceOpensBranch bool
	// braceOpensBody: the next `{` opens the attributes of a plugin value
	// rather than a hash.
	braceOpensBody bool
}

func newLexer(filename string, src []byte, keywords []keywordMark, tr *trivia) *lscLexer {
	return &lscLexer{filename: filename, src: src, text: string(src), line: 1, col: 1,
		stack: []lexFrame{{mode: modeTop, open: -1}}, keywords: keywords, trivia: tr}
}

func (l *lscLexer) mode() lexMode { return l.stack[len(l.stack)-1].mode }

func (l *lscLexer) push(f lexFrame) { l.stack = append(l.stack, f) }

// pop closes the innermost frame at the closer (or body brace) at l.pos; a
// stray closer at the top level (which the recognizer has rejected already)
// leaves the top frame in place.
func (l *lscLexer) pop() {
	if len(l.stack) > 1 {
		l.trivia.closed(l.stack[len(l.stack)-1].open, l.pos)
		l.stack = l.stack[:len(l.stack)-1]
	}
}

func (l *lscLexer) position() lexer.Position {
	return lexer.Position{Filename: l.filename, Offset: l.pos, Line: l.line, Column: l.col}
}

// advance moves over n bytes, keeping line and column (in characters).
func (l *lscLexer) advance(n int) {
	end := l.pos + n
	for l.pos < end {
		c := l.src[l.pos]
		if c < utf8.RuneSelf {
			l.pos++
			if c == '\n' {
				l.line++
				l.col = 1
			} else {
				l.col++
			}
			continue
		}
		_, size := utf8.DecodeRune(l.src[l.pos:])
		l.pos += size
		l.col++
	}
}

func (l *lscLexer) token(t lexer.TokenType, n int) lexer.Token {
	tok := lexer.Token{Type: t, Value: l.text[l.pos : l.pos+n], Pos: l.position()}
	l.advance(n)
	return tok
}

// skipSpace skips whitespace and comments.
func (l *lscLexer) skipSpace() {
	i := skipSpaceFrom(l.src, l.pos)
	if l.trivia != nil {
		l.trivia.collect(l.src, l.pos, i)
	}
	l.advance(i - l.pos)
}

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

func (l *lscLexer) at(i int) byte {
	if i < len(l.src) {
		return l.src[i]
	}
	return 0
}

func (l *lscLexer) Next() (lexer.Token, error) {
	l.skipSpace()
	if l.pos >= len(l.src) {
		return lexer.Token{Type: tokEOF, Pos: l.position()}, nil
	}
	if l.mode() == modeCond {
		return l.nextCond(), nil
	}
	return l.nextBlock(), nil
}

// nextBlock lexes outside conditions: section names, plugin names,
// attributes and values.
func (l *lscLexer) nextBlock() lexer.Token {
	frame := &l.stack[len(l.stack)-1]
	rest := l.src[l.pos:]
	c := rest[0]
	if frame.mode == modeStmts {
		if tok, ok := l.branchKeyword(); ok {
			return tok
		}
	}
	switch c {
	case '{':
		next := lexFrame{mode: modeHash, open: l.pos}
		switch {
		case frame.mode == modeTop:
			next.mode = modeStmts
		case frame.mode == modeStmts && l.braceOpensBranch:
			next.mode = modeStmts
		case frame.mode == modeStmts || l.braceOpensBody:
			next.mode = modeAttrs
		}
		l.braceOpensBranch, l.braceOpensBody = false, false
		frame.expectValue = false
		l.push(next)
		return l.token(tokPunct, 1)
	case '}', ']':
		l.pop()
		return l.token(tokPunct, 1)
	case '[':
		frame.expectValue = false
		l.push(lexFrame{mode: modeArray, expectValue: true, open: l.pos})
		return l.token(tokPunct, 1)
	case ',':
		frame.expectValue = frame.mode == modeArray
		return l.token(tokPunct, 1)
	case '=':
		if l.at(l.pos+1) == '>' {
			frame.expectValue = true
			return l.token(tokPunct, 2)
		}
	}

	var n int
	switch {
	case frame.expectValue:
		// The grammar tries a plugin value (a name or string, then `{`)
		// before a bareword, string or number.
		n = nameLen(rest)
		if c == '"' || c == '\'' {
			n = quotedLen(rest)
		}
		if n > 0 && l.at(skipSpaceFrom(l.src, l.pos+n)) == '{' {
			l.braceOpensBody = true
		} else if c != '"' && c != '\'' {
			if n = numberLen(rest); n == 0 {
				n = wordLen(rest)
			}
		}
		frame.expectValue = false
	case c == '"' || c == '\'':
		n = quotedLen(rest)
	case frame.mode == modeHash:
		if n = numberLen(rest); n == 0 {
			n = wordLen(rest)
		}
	default:
		n = nameLen(rest)
	}
	if n > 0 {
		return l.token(tokScalar, n)
	}
	_, size := utf8.DecodeRune(rest)
	return l.token(tokPunct, size)
}

// branchKeyword emits `if` or `else` where the recognizer's accepted parse
// has one.
func (l *lscLexer) branchKeyword() (lexer.Token, bool) {
	for l.nextKeyword < len(l.keywords) && l.keywords[l.nextKeyword].offset < l.pos {
		l.nextKeyword++
	}
	if l.nextKeyword == len(l.keywords) || l.keywords[l.nextKeyword].offset != l.pos {
		return lexer.Token{}, false
	}
	kw := l.keywords[l.nextKeyword]
	l.nextKeyword++
	if kw.kind == keywordIf {
		l.push(lexFrame{mode: modeCond, expectValue: true, open: l.pos})
		return l.token(tokWord, 2), true
	}
	// An `else` opens a block unless an `if` of the same else-if follows.
	next := l.nextKeyword < len(l.keywords) && l.keywords[l.nextKeyword].kind == keywordIf &&
		l.keywords[l.nextKeyword].offset == skipSpaceFrom(l.src, l.pos+4)
	l.braceOpensBranch = !next
	return l.token(tokWord, 4), true
}

// condKeywords are the words that may follow an operand, longest first
// where one is a prefix of another's spelling.
var condKeywords = []string{"nand", "and", "xor", "not", "or", "in"}

// nextCond lexes inside an if condition. The frame's expectValue says
// whether an operand comes next: there a word is a method name, while after
// an operand a word starts with a keyword, which needs no word boundary
// (`[a] in5` is `in 5`).
func (l *lscLexer) nextCond() lexer.Token {
	frame := &l.stack[len(l.stack)-1]
	rest := l.src[l.pos:]
	c := rest[0]
	operand := frame.expectValue
	frame.expectValue = true
	switch c {
	case '{':
		// The condition ends where the branch body begins.
		l.pop()
		l.push(lexFrame{mode: modeStmts, open: l.pos})
		return l.token(tokPunct, 1)
	case '"', '\'', '/':
		frame.expectValue = false
		return l.token(tokOperand, quotedLen(rest))
	case '[':
		frame.expectValue = false
		if n := selectorLen(rest); n > 0 {
			return l.token(tokOperand, n)
		}
		l.push(lexFrame{mode: modeArray, expectValue: true, open: l.pos})
		return l.token(tokPunct, 1)
	case ')':
		frame.expectValue = false
		return l.token(tokPunct, 1)
	case '=', '!', '<', '>':
		if n := l.at(l.pos + 1); n == '=' || n == '~' && (c == '=' || c == '!') {
			return l.token(tokCmpOp, 2)
		}
		if c == '<' || c == '>' {
			return l.token(tokCmpOp, 1)
		}
		return l.token(tokPunct, 1)
	}
	if n := numberLen(rest); n > 0 {
		frame.expectValue = false
		return l.token(tokOperand, n)
	}
	if n := wordLen(rest); n > 0 {
		if operand {
			return l.token(tokWord, n) // a method name; "(" follows
		}
		for _, kw := range condKeywords {
			if !hasPrefix(rest, kw) {
				continue
			}
			switch kw {
			case "in":
				return l.token(tokCmpOp, 2)
			case "not":
				// `not in` is one operator: "not", a space, maybe comments,
				// then "in".
				tok := l.token(tokCmpOp, 3)
				l.skipSpace()
				l.advance(2)
				tok.Value = "not in"
				return tok
			}
			return l.token(tokBoolOp, len(kw))
		}
		return l.token(tokWord, n)
	}
	_, size := utf8.DecodeRune(rest)
	return l.token(tokPunct, size)
}

func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || isDigitByte(c)
}
func isNameByte(c byte) bool { return isWordByte(c) || c == '-' }

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

// numberLen matches -?[0-9]+(\.[0-9]*)?
func numberLen[T string | []byte](b T) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	start := i
	for i < len(b) && isDigitByte(b[i]) {
		i++
	}
	if i == start {
		return 0
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && isDigitByte(b[i]) {
			i++
		}
	}
	return i
}

func nameLen[T string | []byte](b T) int {
	i := 0
	for i < len(b) && isNameByte(b[i]) {
		i++
	}
	return i
}

func wordLen[T string | []byte](b T) int {
	if len(b) == 0 || isDigitByte(b[0]) || !isWordByte(b[0]) {
		return 0
	}
	i := 1
	for i < len(b) && isWordByte(b[i]) {
		i++
	}
	return i
}

// selectorLen matches one or more adjacent `[name]` elements, where a name
// is one or more characters other than `[`, `]` and `,`.
func selectorLen(b []byte) int {
	i := 0
	for i < len(b) && b[i] == '[' {
		j := i + 1
		for j < len(b) && b[j] != '[' && b[j] != ']' && b[j] != ',' {
			j++
		}
		if j == i+1 || j >= len(b) || b[j] != ']' {
			break
		}
		i = j + 1
	}
	return i
}
