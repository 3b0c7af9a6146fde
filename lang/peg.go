package lang

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file is a character-level recognizer for LSCL that follows Logstash's
// treetop grammar rule for rule, alternative for alternative. It exists
// because Logstash users see treetop's "furthest failure" message when a
// config does not parse, and that message (position and the list of expected
// terminals, in the order they were tried) can only be reproduced by trying
// exactly the same terminals at exactly the same offsets. In its fast mode
// it also records the rules the accepted parse matched (the tape), from
// which parse.go builds the AST; in its exact mode it explains rejections.
//
// Treetop behaviours reproduced on purpose:
//   - every rule is memoized per offset, so a rule re-tried at the same offset
//     records no new failures;
//   - a failed terminal is recorded only at the furthest offset seen so far
//     (a further one clears the list);
//   - a negative lookahead whose inner terminal fails removes the last
//     recorded failure, whatever it was; one whose inner terminal matches
//     records "something other than X".

// treetopFailure is treetop's explanation of a rejected config.
type treetopFailure struct {
	Offset   int // byte offset of the furthest failure
	Line     int
	Column   int // characters, 1-based
	Char     int // character offset, 0-based (treetop prints it +1 as "byte")
	Expected []string
	After    string // input from where the top rule stopped to Offset
	// TooDeep: the config nests deeper than gostash parses (maxRuleDepth);
	// Expected and After are empty.
	TooDeep bool
	// recorded counts failures before duplicates were removed: treetop
	// says "Expected X" only when exactly one was recorded.
	recorded int
}

// Message renders the failure the way Logstash's ConfigurationError does.
// When a negative lookahead has dropped every recorded failure, treetop has
// no reason to give, and Logstash's error message is its class name.
func (f *treetopFailure) Message() string {
	if len(f.Expected) == 0 {
		return "LogStash::ConfigurationError"
	}
	expected := f.Expected[0]
	if f.recorded != 1 {
		expected = "one of " + strings.Join(f.Expected, ", ")
	}
	msg := fmt.Sprintf("Expected %s at line %d, column %d (byte %d)", expected, f.Line, f.Column, f.Char+1)
	if f.Char > 0 {
		msg += " after " + f.After
	}
	return msg
}

type pegRule uint8

const (
	ruleNewlineOrEOI pegRule = iota
	ruleComment
	ruleCS
	ruleWhitespace
	rulePluginSection
	ruleBranchOrPlugin
	rulePluginType
	rulePlugin
	ruleName
	ruleAttribute
	ruleValue
	ruleBareword
	ruleDQString
	ruleSQString
	ruleString
	ruleRegexp
	ruleNumber
	ruleArray
	ruleHash
	ruleHashEntries
	ruleHashEntry
	ruleBranch
	ruleIf
	ruleElseIf
	ruleElse
	ruleCondition
	ruleExpression
	ruleNegativeExpression
	ruleInExpression
	ruleNotInExpression
	ruleInOperator
	ruleNotInOperator
	ruleRvalue
	ruleMethodCall
	ruleMethod
	ruleCompareExpression
	ruleCompareOperator
	ruleRegexpExpression
	ruleRegexpOperator
	ruleBooleanOperator
	ruleSelector
	ruleSelectorElement
	ruleCount
)

// cstNode is one rule the accepted parse matched: the rule, the text
// src[start:end] it matched, and next, the index of the tape entry after
// its subtree (its children are the entries in between). The tape lists
// them in preorder, so in source order.
type cstNode struct {
	rule       pegRule
	start, end int
	next       int
}

// recorded says which rules the tape keeps: those the tree builder reads.
// Wrappers (value, rvalue, branch_or_plugin, hash entries), whitespace and
// the insides of literals are left out, so their parts show up directly
// under the enclosing rule.
var recorded = [ruleCount]bool{
	rulePluginSection: true, rulePluginType: true, rulePlugin: true, ruleName: true,
	ruleAttribute: true, ruleBareword: true, ruleString: true, ruleRegexp: true,
	ruleNumber: true, ruleArray: true, ruleHash: true, ruleHashEntry: true,
	ruleBranch: true, ruleIf: true, ruleElseIf: true, ruleElse: true,
	ruleCondition: true, ruleExpression: true, ruleNegativeExpression: true,
	ruleInExpression: true, ruleNotInExpression: true, ruleInOperator: true,
	ruleNotInOperator: true, ruleMethodCall: true, ruleMethod: true,
	ruleCompareExpression: true, ruleCompareOperator: true, ruleRegexpExpression: true,
	ruleRegexpOperator: true, ruleBooleanOperator: true, ruleSelector: true,
}

type pegFail struct {
	expected   string
	unexpected bool
}

type pegParser struct {
	src   []byte
	pos   int
	exact bool // track failures and memoize like treetop (slower; used to explain errors)

	maxFail int
	fails   []pegFail
	memo    map[int]int // (offset*ruleCount+rule) -> end offset, or -1 for failure

	// tape collects the recorded rules of the parse (fast mode only;
	// whatever fails drops the entries it added).
	tape []cstNode

	// depth counts the rules in progress; past maxRuleDepth the parse stops
	// (tooDeep) rather than exhaust the goroutine stack.
	depth   int
	tooDeep bool
	deepest int // where the depth limit was hit
}

// maxRuleDepth bounds nesting: about 3,000 levels of brackets, braces or
// parentheses, far beyond any real config.
const maxRuleDepth = 10000

// recognize reports whether src is a complete LSCL config, and if so
// returns the tape of its parse. When it is not, it re-runs in exact mode
// and returns treetop's failure explanation.
func recognize(src []byte) (*treetopFailure, []cstNode) {
	// Configs hold about one recorded rule per six to ten bytes, and
	// backtracking records some that are dropped again.
	p := &pegParser{src: src, tape: make([]cstNode, 0, len(src)/5+16)}
	if p.config() && p.pos == len(src) {
		return nil, p.tape
	}
	if p.tooDeep {
		f := &treetopFailure{Offset: p.deepest, TooDeep: true}
		f.Line, f.Column, f.Char = lineColumn(src, p.deepest)
		return f, nil
	}
	p = &pegParser{src: src, exact: true, memo: make(map[int]int)}
	p.config()
	if p.pos != len(src) && p.pos > p.maxFail {
		p.maxFail = p.pos
		p.fails = append(p.fails[:0], pegFail{"<END OF INPUT>", true})
	}
	return p.failure(), nil
}

func (p *pegParser) failure() *treetopFailure {
	f := &treetopFailure{Offset: p.maxFail}
	seen := map[string]bool{}
	for _, fl := range p.fails {
		s := fl.expected
		if fl.unexpected {
			s = "something other than " + s
		}
		if !seen[s] {
			seen[s] = true
			f.Expected = append(f.Expected, s)
		}
	}
	f.Line, f.Column, f.Char = lineColumn(p.src, p.maxFail)
	if p.pos < p.maxFail {
		f.After = string(p.src[p.pos:p.maxFail])
	}
	f.recorded = len(p.fails)
	return f
}

// lineColumn converts a byte offset into 1-based line, 1-based character
// column and 0-based character offset.
func lineColumn(src []byte, off int) (line, col, char int) {
	line, col = 1, 1
	for i := 0; i < off && i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		char++
		i += n
	}
	return line, col, char
}

func (p *pegParser) fail(expected string) {
	p.failAt(expected, false)
}

func (p *pegParser) failAt(expected string, unexpected bool) {
	if !p.exact || p.pos < p.maxFail {
		return
	}
	if p.pos > p.maxFail {
		p.maxFail = p.pos
		p.fails = p.fails[:0]
	}
	p.fails = append(p.fails, pegFail{expected, unexpected})
}

func (p *pegParser) popFail() {
	if p.exact && len(p.fails) > 0 {
		p.fails = p.fails[:len(p.fails)-1]
	}
}

// rule runs body as the named rule, memoized in exact mode. A failing rule
// leaves the position where it started.
func (p *pegParser) rule(r pegRule, body func(*pegParser) bool) bool {
	if p.depth >= maxRuleDepth || p.tooDeep {
		if !p.tooDeep {
			p.tooDeep, p.deepest = true, p.pos
		}
		return false
	}
	p.depth++
	ok := p.ruleBody(r, body)
	p.depth--
	return ok
}

func (p *pegParser) ruleBody(r pegRule, body func(*pegParser) bool) bool {
	start := p.pos
	if p.exact {
		key := start*int(ruleCount) + int(r)
		if end, ok := p.memo[key]; ok {
			if end < 0 {
				return false
			}
			p.pos = end
			return true
		}
		ok := body(p)
		if !ok {
			p.pos = start
			p.memo[key] = -1
		} else {
			p.memo[key] = p.pos
		}
		return ok
	}
	at := len(p.tape)
	if !recorded[r] {
		if body(p) {
			return true
		}
		p.reset(mark{start, at})
		return false
	}
	p.tape = append(p.tape, cstNode{rule: r, start: start})
	if body(p) {
		p.tape[at].end, p.tape[at].next = p.pos, len(p.tape)
		return true
	}
	p.reset(mark{start, at})
	return false
}

// mark is a point to backtrack to: a position and a tape length.
type mark struct{ pos, tape int }

func (p *pegParser) mark() mark { return mark{p.pos, len(p.tape)} }

// reset backtracks to m, dropping what was recorded since.
func (p *pegParser) reset(m mark) {
	p.pos = m.pos
	p.tape = p.tape[:m.tape]
}

// lit matches a literal terminal; shown is how treetop prints it.
func (p *pegParser) lit(s, shown string) bool {
	if len(p.src)-p.pos >= len(s) && string(p.src[p.pos:p.pos+len(s)]) == s {
		p.pos += len(s)
		return true
	}
	p.fail(shown)
	return false
}

// class matches one character for which in returns true.
func (p *pegParser) class(in func(rune) bool, shown string) bool {
	if p.pos < len(p.src) {
		r, n := utf8.DecodeRune(p.src[p.pos:])
		if in(r) {
			p.pos += n
			return true
		}
	}
	p.fail(shown)
	return false
}

func (p *pegParser) anyChar() bool {
	if p.pos < len(p.src) {
		_, n := utf8.DecodeRune(p.src[p.pos:])
		p.pos += n
		return true
	}
	p.fail("any character")
	return false
}

// notLit is treetop's !'s' lookahead.
func (p *pegParser) notLit(s, shown string) bool {
	m := p.mark()
	if p.lit(s, shown) {
		p.reset(m)
		p.failAt(shown, true)
		return false
	}
	p.popFail()
	return true
}

// seq runs steps in order; on failure it backtracks to where it started.
func (p *pegParser) seq(steps ...func(*pegParser) bool) bool {
	m := p.mark()
	for _, s := range steps {
		if !s(p) {
			p.reset(m)
			return false
		}
	}
	return true
}

func isWS(r rune) bool       { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }
func isNotNL(r rune) bool    { return r != '\r' && r != '\n' }
func isNameChar(r rune) bool { return isWordChar(r) || r == '-' }
func isWordStart(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '_'
}
func isWordChar(r rune) bool     { return isWordStart(r) || isDigit(r) }
func isDigit(r rune) bool        { return r >= '0' && r <= '9' }
func isSelectorChar(r rune) bool { return r != ']' && r != '[' && r != ',' }

func (p *pegParser) config() bool {
	for {
		m := p.mark()
		if !(p.cs() && p.pluginSection()) {
			p.reset(m)
			break
		}
	}
	return p.cs()
}

func (p *pegParser) newlineOrEOI() bool {
	return p.rule(ruleNewlineOrEOI, func(p *pegParser) bool {
		m := p.mark()
		p.lit("\r", `"\r"`)
		if p.lit("\n", `"\n"`) {
			return true
		}
		p.reset(m)
		if p.pos < len(p.src) {
			p.failAt("any character", true)
			return false
		}
		p.fail("any character")
		p.popFail()
		return true
	})
}

func (p *pegParser) comment() bool {
	return p.rule(ruleComment, func(p *pegParser) bool {
		n := 0
		for {
			m := p.mark()
			p.whitespace()
			if !p.lit("#", `"#"`) {
				p.reset(m)
				break
			}
			for p.class(isNotNL, `[^\r\n]`) {
			}
			if !p.newlineOrEOI() {
				p.reset(m)
				break
			}
			n++
		}
		return n > 0
	})
}

// cs is `(comment / whitespace)*`. It runs everywhere, so fast mode, which
// records nothing, scans it directly (FuzzParse checks both modes agree).
func (p *pegParser) cs() bool {
	if !p.exact {
		p.pos = skipCS(p.src, p.pos)
		return true
	}
	return p.rule(ruleCS, func(p *pegParser) bool {
		for p.comment() || p.whitespace() {
		}
		return true
	})
}

// skipCS is cs without bookkeeping. A comment must end at "\n", "\r\n" or
// the end of input; one ending at a lone "\r" is no comment, and the `#`
// is left in place.
func skipCS(src []byte, i int) int {
	for {
		for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n') {
			i++
		}
		if i == len(src) || src[i] != '#' {
			return i
		}
		k := i + 1
		for k < len(src) && src[k] != '\r' && src[k] != '\n' {
			k++
		}
		switch {
		case k == len(src):
			return k
		case src[k] == '\n':
			i = k + 1
		case k+1 < len(src) && src[k+1] == '\n':
			i = k + 2
		default:
			return i
		}
	}
}

func (p *pegParser) whitespace() bool {
	return p.rule(ruleWhitespace, func(p *pegParser) bool {
		n := 0
		for p.class(isWS, `[ \t\r\n]`) {
			n++
		}
		return n > 0
	})
}

// block is `"{" cs (branch_or_plugin cs)* "}"`, the body of sections and branches.
func (p *pegParser) block() bool {
	if !p.lit("{", `"{"`) || !p.cs() {
		return false
	}
	for {
		m := p.mark()
		if !(p.branchOrPlugin() && p.cs()) {
			p.reset(m)
			break
		}
	}
	return p.lit("}", `"}"`)
}

func (p *pegParser) pluginSection() bool {
	return p.rule(rulePluginSection, func(p *pegParser) bool {
		return p.pluginType() && p.cs() && p.block()
	})
}

func (p *pegParser) branchOrPlugin() bool {
	return p.rule(ruleBranchOrPlugin, func(p *pegParser) bool {
		return p.branch() || p.plugin()
	})
}

func (p *pegParser) pluginType() bool {
	return p.rule(rulePluginType, func(p *pegParser) bool {
		return p.lit("input", `"input"`) || p.lit("filter", `"filter"`) || p.lit("output", `"output"`)
	})
}

func (p *pegParser) plugin() bool {
	return p.rule(rulePlugin, func(p *pegParser) bool {
		if !(p.name() && p.cs() && p.lit("{", `"{"`) && p.cs()) {
			return false
		}
		if p.attribute() {
			for {
				m := p.mark()
				if !(p.whitespace() && p.cs() && p.attribute()) {
					p.reset(m)
					break
				}
			}
		}
		return p.cs() && p.lit("}", `"}"`)
	})
}

func (p *pegParser) name() bool {
	return p.rule(ruleName, func(p *pegParser) bool {
		n := 0
		for p.class(isNameChar, `[A-Za-z0-9_-]`) {
			n++
		}
		return n > 0 || p.str()
	})
}

func (p *pegParser) attribute() bool {
	return p.rule(ruleAttribute, func(p *pegParser) bool {
		return p.name() && p.cs() && p.lit("=>", `"=>"`) && p.cs() && p.value()
	})
}

func (p *pegParser) value() bool {
	return p.rule(ruleValue, func(p *pegParser) bool {
		return p.plugin() || p.bareword() || p.str() || p.number() || p.array() || p.hash()
	})
}

func (p *pegParser) bareword() bool {
	return p.rule(ruleBareword, func(p *pegParser) bool {
		if !p.class(isWordStart, `[A-Za-z_]`) {
			return false
		}
		n := 0
		for p.class(isWordChar, `[A-Za-z0-9_]`) {
			n++
		}
		return n > 0
	})
}

// quoted is `q ( esc / !q . )* q` with treetop's spellings of the terminals.
func (p *pegParser) quoted(q, shownQ, esc, shownEsc string) bool {
	if !p.lit(q, shownQ) {
		return false
	}
	for {
		if p.lit(esc, shownEsc) {
			continue
		}
		m := p.mark()
		if p.notLit(q, shownQ) && p.anyChar() {
			continue
		}
		p.reset(m)
		break
	}
	return p.lit(q, shownQ)
}

func (p *pegParser) dqString() bool {
	return p.rule(ruleDQString, func(p *pegParser) bool { return p.quoted(`"`, `'"'`, `\"`, `'\"'`) })
}

func (p *pegParser) sqString() bool {
	return p.rule(ruleSQString, func(p *pegParser) bool { return p.quoted(`'`, `"'"`, `\'`, `"\\'"`) })
}

func (p *pegParser) str() bool {
	return p.rule(ruleString, func(p *pegParser) bool { return p.dqString() || p.sqString() })
}

func (p *pegParser) regexp() bool {
	return p.rule(ruleRegexp, func(p *pegParser) bool { return p.quoted(`/`, `'/'`, `\/`, `'\/'`) })
}

func (p *pegParser) number() bool {
	return p.rule(ruleNumber, func(p *pegParser) bool {
		p.lit("-", `"-"`)
		n := 0
		for p.class(isDigit, `[0-9]`) {
			n++
		}
		if n == 0 {
			return false
		}
		if p.lit(".", `"."`) {
			for p.class(isDigit, `[0-9]`) {
			}
		}
		return true
	})
}

func (p *pegParser) array() bool {
	return p.rule(ruleArray, func(p *pegParser) bool {
		if !(p.lit("[", `"["`) && p.cs()) {
			return false
		}
		if p.value() {
			for {
				m := p.mark()
				if !(p.cs() && p.lit(",", `","`) && p.cs() && p.value()) {
					p.reset(m)
					break
				}
			}
		}
		return p.cs() && p.lit("]", `"]"`)
	})
}

func (p *pegParser) hash() bool {
	return p.rule(ruleHash, func(p *pegParser) bool {
		if !(p.lit("{", `"{"`) && p.cs()) {
			return false
		}
		p.hashEntries()
		return p.cs() && p.lit("}", `"}"`)
	})
}

func (p *pegParser) hashEntries() bool {
	return p.rule(ruleHashEntries, func(p *pegParser) bool {
		if !p.hashEntry() {
			return false
		}
		for {
			m := p.mark()
			if !(p.cs() && p.hashEntry()) {
				p.reset(m)
				break
			}
		}
		return true
	})
}

func (p *pegParser) hashEntry() bool {
	return p.rule(ruleHashEntry, func(p *pegParser) bool {
		return (p.number() || p.bareword() || p.str()) &&
			p.cs() && p.lit("=>", `"=>"`) && p.cs() && p.value()
	})
}

func (p *pegParser) branch() bool {
	return p.rule(ruleBranch, func(p *pegParser) bool {
		if !p.ifRule() {
			return false
		}
		for {
			m := p.mark()
			if !(p.cs() && p.elseIf()) {
				p.reset(m)
				break
			}
		}
		m := p.mark()
		if !(p.cs() && p.elseRule()) {
			p.reset(m)
		}
		return true
	})
}

func (p *pegParser) ifRule() bool {
	return p.rule(ruleIf, func(p *pegParser) bool {
		if !p.lit("if", `"if"`) {
			return false
		}
		return p.cs() && p.condition() && p.cs() && p.block()
	})
}

func (p *pegParser) elseIf() bool {
	return p.rule(ruleElseIf, func(p *pegParser) bool {
		if !(p.lit("else", `"else"`) && p.cs() && p.lit("if", `"if"`)) {
			return false
		}
		return p.cs() && p.condition() && p.cs() && p.block()
	})
}

func (p *pegParser) elseRule() bool {
	return p.rule(ruleElse, func(p *pegParser) bool {
		return p.lit("else", `"else"`) && p.cs() && p.block()
	})
}

func (p *pegParser) condition() bool {
	return p.rule(ruleCondition, func(p *pegParser) bool {
		if !p.expression() {
			return false
		}
		for {
			m := p.mark()
			if !(p.cs() && p.booleanOperator() && p.cs() && p.expression()) {
				p.reset(m)
				break
			}
		}
		return true
	})
}

func (p *pegParser) parenCondition() bool {
	return p.seq(
		func(p *pegParser) bool { return p.lit("(", `"("`) },
		(*pegParser).cs, (*pegParser).condition, (*pegParser).cs,
		func(p *pegParser) bool { return p.lit(")", `")"`) })
}

func (p *pegParser) expression() bool {
	return p.rule(ruleExpression, func(p *pegParser) bool {
		return p.parenCondition() || p.negativeExpression() || p.inExpression() ||
			p.notInExpression() || p.compareExpression() || p.regexpExpression() || p.rvalue()
	})
}

func (p *pegParser) negativeExpression() bool {
	return p.rule(ruleNegativeExpression, func(p *pegParser) bool {
		m := p.mark()
		if p.lit("!", `"!"`) && p.cs() && p.parenCondition() {
			return true
		}
		p.reset(m)
		return p.lit("!", `"!"`) && p.cs() && p.selector()
	})
}

func (p *pegParser) inExpression() bool {
	return p.rule(ruleInExpression, func(p *pegParser) bool {
		return p.rvalue() && p.cs() && p.inOperator() && p.cs() && p.rvalue()
	})
}

func (p *pegParser) notInExpression() bool {
	return p.rule(ruleNotInExpression, func(p *pegParser) bool {
		return p.rvalue() && p.cs() && p.notInOperator() && p.cs() && p.rvalue()
	})
}

func (p *pegParser) inOperator() bool {
	return p.rule(ruleInOperator, func(p *pegParser) bool { return p.lit("in", `"in"`) })
}

func (p *pegParser) notInOperator() bool {
	return p.rule(ruleNotInOperator, func(p *pegParser) bool {
		return p.lit("not ", `"not "`) && p.cs() && p.lit("in", `"in"`)
	})
}

func (p *pegParser) rvalue() bool {
	return p.rule(ruleRvalue, func(p *pegParser) bool {
		return p.str() || p.number() || p.selector() || p.array() || p.methodCall() || p.regexp()
	})
}

func (p *pegParser) methodCall() bool {
	return p.rule(ruleMethodCall, func(p *pegParser) bool {
		if !(p.method() && p.cs() && p.lit("(", `"("`) && p.cs()) {
			return false
		}
		if p.rvalue() {
			for {
				m := p.mark()
				if !(p.cs() && p.lit(",", `","`) && p.cs() && p.rvalue()) {
					p.reset(m)
					break
				}
			}
		}
		return p.cs() && p.lit(")", `")"`)
	})
}

func (p *pegParser) method() bool {
	return p.rule(ruleMethod, (*pegParser).bareword)
}

func (p *pegParser) compareExpression() bool {
	return p.rule(ruleCompareExpression, func(p *pegParser) bool {
		return p.rvalue() && p.cs() && p.compareOperator() && p.cs() && p.rvalue()
	})
}

func (p *pegParser) compareOperator() bool {
	return p.rule(ruleCompareOperator, func(p *pegParser) bool {
		return p.lit("==", `"=="`) || p.lit("!=", `"!="`) || p.lit("<=", `"<="`) ||
			p.lit(">=", `">="`) || p.lit("<", `"<"`) || p.lit(">", `">"`)
	})
}

func (p *pegParser) regexpExpression() bool {
	return p.rule(ruleRegexpExpression, func(p *pegParser) bool {
		return p.rvalue() && p.cs() && p.regexpOperator() && p.cs() && (p.str() || p.regexp())
	})
}

func (p *pegParser) regexpOperator() bool {
	return p.rule(ruleRegexpOperator, func(p *pegParser) bool {
		return p.lit("=~", `"=~"`) || p.lit("!~", `"!~"`)
	})
}

func (p *pegParser) booleanOperator() bool {
	return p.rule(ruleBooleanOperator, func(p *pegParser) bool {
		return p.lit("and", `"and"`) || p.lit("or", `"or"`) || p.lit("xor", `"xor"`) || p.lit("nand", `"nand"`)
	})
}

func (p *pegParser) selector() bool {
	return p.rule(ruleSelector, func(p *pegParser) bool {
		n := 0
		for p.selectorElement() {
			n++
		}
		return n > 0
	})
}

func (p *pegParser) selectorElement() bool {
	return p.rule(ruleSelectorElement, func(p *pegParser) bool {
		if !p.lit("[", `"["`) {
			return false
		}
		n := 0
		for p.class(isSelectorChar, `[^\]\[,]`) {
			n++
		}
		return n > 0 && p.lit("]", `"]"`)
	})
}
