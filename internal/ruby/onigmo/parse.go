package onigmo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrUnsupported marks a pattern that uses a construct this engine leaves to
// a general one (case folding, back-references, Unicode properties, POSIX
// brackets, nested repeats, conditionals, ...). The pattern may well be valid.
var ErrUnsupported = errors.New("construct not supported by the onigmo matcher")

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, args...)...)
}

type nodeKind uint8

const (
	nLiteral   nodeKind = iota // text: a run of characters
	nClass                     // class: one character of a set
	nAny                       // one character; dotAll: newlines too
	nConcat                    // subs in sequence
	nAlternate                 // the first of subs that leads to a match
	nRepeat                    // subs[0] min..max times (max < 0: unbounded)
	nGroup                     // subs[0], captured as group index when index > 0
	nAtomic                    // subs[0] without backtracking into it
	nLook                      // subs[0] as a look-ahead or look-behind
	nAssert                    // a zero-width anchor
)

type assertion uint8

const (
	aLineStart    assertion = iota // ^
	aLineEnd                       // $
	aTextStart                     // \A
	aTextEnd                       // \z
	aTextEndLine                   // \Z: the end, or before a final newline
	aWordBound                     // \b
	aNotWordBound                  // \B
)

// node is one element of a parsed pattern.
type node struct {
	kind       nodeKind
	text       string // nLiteral
	class      *charClass
	dotAll     bool // nAny
	subs       []*node
	min, max   int  // nRepeat
	greedy     bool // nRepeat
	possessive bool // nRepeat
	index      int  // nGroup: capture number (0: not capturing)
	behind     bool // nLook
	negate     bool // nLook
	assert     assertion
}

// parser reads Ruby regexp syntax.
type parser struct {
	src    string
	pos    int
	names  []string // per capture group (1-based index - 1): its name, "" for unnamed
	groups []*node  // every ( ... ) that may capture, numbered once parsing knows whether names exist
	named  bool
}

// parse reads a whole pattern; dotAll is Ruby's MULTILINE option.
func parse(src string, dotAll bool) (*node, []string, error) {
	if !utf8.ValidString(src) {
		return nil, nil, unsupported("pattern is not valid UTF-8")
	}
	p := &parser{src: src}
	n, err := p.alternation(dotAll)
	if err != nil {
		return nil, nil, err
	}
	if p.pos < len(p.src) {
		return nil, nil, unsupported("unbalanced ) at offset %d", p.pos)
	}
	// Ruby numbers unnamed groups only when the pattern has no named ones.
	for _, g := range p.groups {
		name := p.names[g.index-1]
		if p.named && name == "" {
			g.index = 0
		}
	}
	var names []string
	num := 0
	for _, g := range p.groups {
		if g.index > 0 {
			num++
			names = append(names, p.names[g.index-1])
			g.index = num
		}
	}
	if p.named {
		n = foldUncaptured(n)
	}
	return n, names, nil
}

func (p *parser) more() bool { return p.pos < len(p.src) }

// alternation parses branches up to a closing parenthesis or the end.
func (p *parser) alternation(dotAll bool) (*node, error) {
	var branches []*node
	for {
		b, err := p.concatenation(&dotAll)
		if err != nil {
			return nil, err
		}
		branches = append(branches, b)
		if p.more() && p.src[p.pos] == '|' {
			p.pos++
			continue
		}
		break
	}
	if len(branches) == 1 {
		return branches[0], nil
	}
	return &node{kind: nAlternate, subs: branches}, nil
}

// concatenation parses one branch. An inline (?m) or (?-m) changes dotAll
// for the rest of the enclosing group, the following branches included.
func (p *parser) concatenation(dotAll *bool) (*node, error) {
	var items []*node
	for p.more() {
		c := p.src[p.pos]
		if c == '|' || c == ')' {
			break
		}
		atom, err := p.atom(dotAll)
		if err != nil {
			return nil, err
		}
		if atom == nil { // an option switch or a comment
			continue
		}
		if atom, err = p.quantifiers(atom); err != nil {
			return nil, err
		}
		items = append(items, atom)
	}
	return concat(items), nil
}

// concat joins items, merging adjacent literals.
func concat(items []*node) *node {
	var out []*node
	for _, it := range items {
		if it.kind == nLiteral && len(out) > 0 && out[len(out)-1].kind == nLiteral {
			prev := out[len(out)-1]
			out[len(out)-1] = &node{kind: nLiteral, text: prev.text + it.text}
			continue
		}
		if it.kind == nConcat {
			out = append(out, it.subs...)
			continue
		}
		out = append(out, it)
	}
	if len(out) == 1 {
		return out[0]
	}
	return &node{kind: nConcat, subs: out}
}

// quantifiers applies the repeat operators following an atom.
func (p *parser) quantifiers(atom *node) (*node, error) {
	for p.more() {
		min, max := 0, 0
		interval := false
		switch p.src[p.pos] {
		case '*':
			min, max = 0, -1
			p.pos++
		case '+':
			min, max = 1, -1
			p.pos++
		case '?':
			min, max = 0, 1
			p.pos++
		case '{':
			var ok bool
			if min, max, ok = p.interval(); !ok {
				return atom, nil // a literal brace
			}
			interval = true
		default:
			return atom, nil
		}
		if atom.kind == nAssert || atom.kind == nLook {
			return nil, unsupported("repeated anchor or look-around")
		}
		r := &node{kind: nRepeat, min: min, max: max, greedy: true}
		if p.more() {
			switch p.src[p.pos] {
			case '?':
				// Ruby reads x{n}? as (?:x{n})?, but x{n,m}? as lazy.
				if !interval || min != max {
					r.greedy = false
					p.pos++
				}
			case '+':
				// x{n,m}+ is a repeat of a repeat, not possessive.
				if !interval {
					r.possessive = true
					p.pos++
				}
			}
		}
		atom = setQuantifier(r, atom)
	}
	return atom, nil
}

// plainRepeatIndex numbers the repeats Ruby folds when one repeats another:
// ? * + ?? *? +? are 0 to 5 (by bounds, so {0,1} is ?), anything else -1.
func plainRepeatIndex(n *node) int {
	lazy := 0
	if !n.greedy {
		lazy = 3
	}
	switch {
	case n.min == 0 && n.max == 1:
		return lazy
	case n.min == 0 && n.max < 0:
		return lazy + 1
	case n.min == 1 && n.max < 0:
		return lazy + 2
	}
	return -1
}

// rewrite is what a plain repeat of a plain repeat of x matches like in MRI;
// nestedRewrite (generated from a golden MRI wrote, see
// scripts/golden/ruby-semantics/nested_repeats.rb) picks one per pair.
type rewrite uint8

const (
	keepNested       rewrite = iota // both repeats, as written
	innerOnly                       // the inner repeat alone
	greedyStar                      // x*
	lazyStar                        // x*?
	lazyOptional                    // x??
	lazyOptionalPlus                // (?:x+)??
	optionalLazyPlus                // (?:x+?)?
)

// setQuantifier makes r repeat target, folding a repeat of a repeat (seen
// through non-capturing groups) the way MRI does.
func setQuantifier(r, target *node) *node {
	r.subs = []*node{target}
	t := unwrap(target)
	if t.kind != nRepeat || t.possessive {
		return r
	}
	outer, inner := plainRepeatIndex(r), plainRepeatIndex(t)
	switch {
	case outer >= 0 && inner >= 0:
		return foldNested(r, t)
	case (inner == 1 || inner == 2) && r.max > 1 && r.greedy:
		// (?:x*){n,m} and (?:x+){n,m} become {n,n} ({0,1} for n = 0).
		r.max = max(r.min, 1)
	}
	return r
}

// foldNested rewrites plain repeat p of plain repeat c into what MRI
// matches it like.
func foldNested(p, c *node) *node {
	switch nestedRewrite[plainRepeatIndex(c)][plainRepeatIndex(p)] {
	case innerOnly:
		folded := *c
		folded.possessive = p.possessive
		return &folded
	case greedyStar:
		p.subs, p.min, p.max, p.greedy = c.subs, 0, -1, true
	case lazyStar:
		p.subs, p.min, p.max, p.greedy = c.subs, 0, -1, false
	case lazyOptional:
		p.subs, p.min, p.max, p.greedy = c.subs, 0, 1, false
	case lazyOptionalPlus:
		p.subs, p.min, p.max, p.greedy = []*node{c}, 0, 1, false
		c.min, c.max, c.greedy = 1, -1, true
	case optionalLazyPlus:
		p.subs, p.min, p.max, p.greedy = []*node{c}, 0, 1, true
		c.min, c.max, c.greedy = 1, -1, false
	}
	return p
}

// unwrap looks through groups that do not capture.
func unwrap(n *node) *node {
	for n.kind == nGroup && n.index == 0 {
		n = n.subs[0]
	}
	return n
}

// foldUncaptured folds, once unnamed groups stop capturing (the pattern has
// named ones), the plain repeats those groups kept apart, as MRI does.
func foldUncaptured(n *node) *node {
	for k, s := range n.subs {
		n.subs[k] = foldUncaptured(s)
	}
	if n.kind == nRepeat {
		if t := unwrap(n.subs[0]); t.kind == nRepeat && !t.possessive && plainRepeatIndex(n) >= 0 && plainRepeatIndex(t) >= 0 {
			return foldNested(n, t)
		}
	}
	return n
}

// interval reads {n}, {n,}, {,m} or {n,m} at p.pos; ok is false (and pos
// unchanged) when the brace starts no interval, so it is a literal.
func (p *parser) interval() (min, max int, ok bool) {
	i := p.pos + 1
	num := func() (int, bool) {
		j := i
		for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
			i++
		}
		if i == j {
			return 0, false
		}
		n, err := strconv.Atoi(p.src[j:i])
		return n, err == nil && n <= 100000
	}
	lo, hasLo := num()
	hi, hasHi := lo, hasLo
	if i < len(p.src) && p.src[i] == ',' {
		i++
		hi, hasHi = num()
		if !hasHi {
			hi = -1
		}
		if !hasLo && !hasHi {
			return 0, 0, false
		}
	} else if !hasLo {
		return 0, 0, false
	}
	if i >= len(p.src) || p.src[i] != '}' {
		return 0, 0, false
	}
	if hi >= 0 && hi < lo {
		return 0, 0, false
	}
	p.pos = i + 1
	return lo, hi, true
}

// atom parses one element; it returns nil for an inline option switch.
func (p *parser) atom(dotAll *bool) (*node, error) {
	c := p.src[p.pos]
	switch c {
	case '(':
		return p.group(dotAll)
	case '[':
		cc, err := p.class()
		if err != nil {
			return nil, err
		}
		return &node{kind: nClass, class: cc}, nil
	case '.':
		p.pos++
		return &node{kind: nAny, dotAll: *dotAll}, nil
	case '^':
		p.pos++
		return &node{kind: nAssert, assert: aLineStart}, nil
	case '$':
		p.pos++
		return &node{kind: nAssert, assert: aLineEnd}, nil
	case '\\':
		return p.escape()
	case '*', '+', '?':
		return nil, unsupported("repeat without a target")
	case '{':
		if _, _, ok := p.interval(); ok {
			return nil, unsupported("repeat without a target")
		}
	}
	_, size := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += size
	return &node{kind: nLiteral, text: p.src[p.pos-size : p.pos]}, nil
}

// group parses ( ... ) in its forms.
func (p *parser) group(dotAll *bool) (*node, error) {
	p.pos++ // (
	inner := *dotAll
	n := &node{kind: nGroup}
	if strings.HasPrefix(p.src[p.pos:], "?") {
		p.pos++
		if !p.more() {
			return nil, unsupported("truncated group")
		}
		switch c := p.src[p.pos]; {
		case c == ':':
			p.pos++
		case c == '=' || c == '!':
			p.pos++
			n = &node{kind: nLook, negate: c == '!'}
		case c == '>':
			p.pos++
			n = &node{kind: nAtomic}
		case c == '<' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == '=' || p.src[p.pos+1] == '!'):
			n = &node{kind: nLook, behind: true, negate: p.src[p.pos+1] == '!'}
			p.pos += 2
		case c == '<' || c == '\'':
			end := byte('>')
			if c == '\'' {
				end = '\''
			}
			k := strings.IndexByte(p.src[p.pos+1:], end)
			if k <= 0 {
				return nil, unsupported("bad group name")
			}
			name := p.src[p.pos+1 : p.pos+1+k]
			if name[0] >= '0' && name[0] <= '9' {
				return nil, unsupported("bad group name")
			}
			p.pos += k + 2
			p.named = true
			p.names = append(p.names, name)
			n.index = len(p.names)
			p.groups = append(p.groups, n)
		case c == '#':
			k := strings.IndexByte(p.src[p.pos:], ')')
			if k < 0 {
				return nil, unsupported("unterminated comment")
			}
			p.pos += k + 1
			return nil, nil
		default:
			// Options: only m (dot matches newline) is handled here.
			on := true
			k := p.pos
			for ; k < len(p.src) && (p.src[k] == 'm' || p.src[k] == '-'); k++ {
				if p.src[k] == '-' {
					on = false
				} else {
					inner = on
				}
			}
			if k == p.pos || k >= len(p.src) || (p.src[k] != ')' && p.src[k] != ':') {
				return nil, unsupported("group (?%s", p.src[p.pos:min(len(p.src), p.pos+3)])
			}
			p.pos = k + 1
			if p.src[k] == ')' {
				*dotAll = inner
				return nil, nil
			}
		}
	} else {
		p.names = append(p.names, "")
		n.index = len(p.names)
		p.groups = append(p.groups, n)
	}
	body, err := p.alternation(inner)
	if err != nil {
		return nil, err
	}
	if !p.more() || p.src[p.pos] != ')' {
		return nil, unsupported("unterminated group")
	}
	p.pos++
	n.subs = []*node{body}
	return n, nil
}

// escape parses a backslash sequence outside a class.
func (p *parser) escape() (*node, error) {
	if p.pos+1 >= len(p.src) {
		return nil, unsupported("trailing backslash")
	}
	c := p.src[p.pos+1]
	switch c {
	case 'A':
		p.pos += 2
		return &node{kind: nAssert, assert: aTextStart}, nil
	case 'z':
		p.pos += 2
		return &node{kind: nAssert, assert: aTextEnd}, nil
	case 'Z':
		p.pos += 2
		return &node{kind: nAssert, assert: aTextEndLine}, nil
	case 'b':
		p.pos += 2
		return &node{kind: nAssert, assert: aWordBound}, nil
	case 'B':
		p.pos += 2
		return &node{kind: nAssert, assert: aNotWordBound}, nil
	}
	if cc := shorthandClass(c); cc != nil {
		p.pos += 2
		return &node{kind: nClass, class: cc}, nil
	}
	r, err := p.escapedChar(false)
	if err != nil {
		return nil, err
	}
	return &node{kind: nLiteral, text: string(r)}, nil
}

// escapedChar reads a backslash sequence standing for one character.
func (p *parser) escapedChar(inClass bool) (rune, error) {
	c := p.src[p.pos+1]
	if c >= utf8.RuneSelf {
		r, size := utf8.DecodeRuneInString(p.src[p.pos+1:])
		p.pos += 1 + size
		return r, nil
	}
	p.pos += 2
	switch c {
	case 't':
		return '\t', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 'f':
		return '\f', nil
	case 'v':
		return '\v', nil
	case 'a':
		return 7, nil
	case 'e':
		return 27, nil
	case 'b':
		if inClass {
			return 8, nil
		}
	case 'x':
		return p.hexDigits(2, false)
	case 'u':
		if p.more() && p.src[p.pos] == '{' {
			return 0, unsupported(`\u{...}`)
		}
		return p.hexDigits(4, true)
	}
	if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		// Back-references, octal, \k \g \p \G \K and other letters Ruby
		// reads its own way: left to the general engine.
		return 0, unsupported(`\%c`, c)
	}
	return rune(c), nil
}

// hexDigits reads up to n (exactly n when exact) hex digits.
func (p *parser) hexDigits(n int, exact bool) (rune, error) {
	v, k := 0, 0
	for ; k < n && p.more(); k++ {
		d := p.src[p.pos]
		switch {
		case d >= '0' && d <= '9':
			v = v*16 + int(d-'0')
		case d >= 'a' && d <= 'f':
			v = v*16 + int(d-'a'+10)
		case d >= 'A' && d <= 'F':
			v = v*16 + int(d-'A'+10)
		default:
			goto done
		}
		p.pos++
	}
done:
	if k == 0 || exact && k != n {
		return 0, unsupported("bad hex escape")
	}
	if v >= 0x80 && n == 2 {
		// \xHH above 7F is a raw byte in Ruby, not a character.
		return 0, unsupported(`\x above 7F`)
	}
	if v >= 0xD800 && v <= 0xDFFF {
		return 0, unsupported("surrogate escape")
	}
	return rune(v), nil
}

// class parses a bracket expression [...] (nested brackets are unions).
func (p *parser) class() (*charClass, error) {
	p.pos++ // [
	cc := &charClass{}
	negate := false
	if p.more() && p.src[p.pos] == '^' {
		negate = true
		p.pos++
	}
	first := true
	for {
		if !p.more() {
			return nil, unsupported("unterminated class")
		}
		c := p.src[p.pos]
		switch {
		case c == ']' && !first:
			p.pos++
			if negate {
				cc.invert()
			}
			return cc, nil
		case c == '[':
			if strings.HasPrefix(p.src[p.pos:], "[:") || strings.HasPrefix(p.src[p.pos:], "[^") {
				return nil, unsupported("POSIX bracket or negated nested class")
			}
			inner, err := p.class()
			if err != nil {
				return nil, err
			}
			cc.union(inner)
		case c == '&' && strings.HasPrefix(p.src[p.pos:], "&&"):
			return nil, unsupported("class intersection")
		default:
			lo, set, err := p.classChar(first)
			if err != nil {
				return nil, err
			}
			if set != nil {
				if p.more() && p.src[p.pos] == '-' && p.pos+1 < len(p.src) && p.src[p.pos+1] != ']' {
					return nil, unsupported("range from a class shorthand")
				}
				cc.union(set)
				break
			}
			if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && p.src[p.pos+1] != ']' {
				p.pos++
				if p.src[p.pos] == '[' {
					return nil, unsupported("range to a bracket")
				}
				hi, hiSet, err := p.classChar(false)
				if err != nil {
					return nil, err
				}
				if hiSet != nil || hi < lo {
					return nil, unsupported("bad range")
				}
				if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && p.src[p.pos+1] != ']' {
					return nil, unsupported("'-' right after a range")
				}
				cc.addRange(lo, hi)
				break
			}
			cc.addRange(lo, lo)
		}
		first = false
	}
}

// classChar reads one class member: a character, or a shorthand class.
func (p *parser) classChar(first bool) (rune, *charClass, error) {
	c := p.src[p.pos]
	if c == '\\' {
		if p.pos+1 >= len(p.src) {
			return 0, nil, unsupported("trailing backslash")
		}
		if cc := shorthandClass(p.src[p.pos+1]); cc != nil {
			p.pos += 2
			return 0, cc, nil
		}
		r, err := p.escapedChar(true)
		return r, nil, err
	}
	if c == ']' && first {
		p.pos++
		return ']', nil, nil
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += size
	return r, nil, nil
}
