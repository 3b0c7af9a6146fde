package onigmo

import (
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// matchFn matches the rest of a pattern from byte offset i: a node's
// function holds the function of what follows it, and returns whether
// the whole remaining pattern matched. Backtracking is returning false.
type matchFn func(m *machine, i int) bool

// firstInfo describes where a match of the rest of a pattern can begin:
// with a byte of set, or anywhere (any) when the rest may match empty or
// starts with something this summary does not capture.
type firstInfo struct {
	set byteSet
	any bool
}

var anyFirst = firstInfo{any: true}

// allow tells whether the rest can start at s[i].
func (f *firstInfo) allow(s string, i int) bool {
	return f.any || i < len(s) && f.set.has(s[i])
}

func union(a, b firstInfo) firstInfo {
	if a.any || b.any {
		return anyFirst
	}
	a.set.addAll(&b.set)
	return a
}

type compiler struct {
	counters int // general repeats, each with an iteration counter
}

// first summarises where n followed by the rest (follow) can begin.
func first(n *node, follow firstInfo) firstInfo {
	switch n.kind {
	case nLiteral:
		var f firstInfo
		f.set.add(n.text[0])
		return f
	case nClass:
		return firstInfo{set: n.class.firstBytes()}
	case nAny:
		var f firstInfo
		for b := 0; b < utf8.RuneSelf; b++ {
			if n.dotAll || b != '\n' {
				f.set.add(byte(b))
			}
		}
		f.set.addLeadBytes()
		return f
	case nConcat:
		f := follow
		for k := len(n.subs) - 1; k >= 0; k-- {
			f = first(n.subs[k], f)
		}
		return f
	case nAlternate:
		var f firstInfo
		for _, b := range n.subs {
			f = union(f, first(b, follow))
		}
		return f
	case nRepeat:
		f := first(n.subs[0], follow)
		if n.min == 0 {
			f = union(f, follow)
		}
		return f
	case nGroup, nAtomic:
		return first(n.subs[0], follow)
	}
	return follow // zero-width: anchors and look-arounds
}

// nullable tells whether n can match without consuming anything.
func nullable(n *node) bool {
	switch n.kind {
	case nLiteral, nClass, nAny:
		return false
	case nConcat:
		for _, s := range n.subs {
			if !nullable(s) {
				return false
			}
		}
		return true
	case nAlternate:
		for _, s := range n.subs {
			if nullable(s) {
				return true
			}
		}
		return false
	case nRepeat:
		return n.min == 0 || nullable(n.subs[0])
	case nGroup, nAtomic:
		return nullable(n.subs[0])
	}
	return true
}

// captureSlots lists the capture slots (2 per group) set inside n.
func captureSlots(n *node, out []int) []int {
	if n.kind == nGroup && n.index > 0 {
		out = append(out, 2*n.index, 2*n.index+1)
	}
	for _, s := range n.subs {
		out = captureSlots(s, out)
	}
	return out
}

// fixedLength returns the number of characters every match of n has.
func fixedLength(n *node) (int, bool) {
	switch n.kind {
	case nLiteral:
		return utf8.RuneCountInString(n.text), true
	case nClass, nAny:
		return 1, true
	case nAssert, nLook:
		return 0, true
	case nGroup, nAtomic:
		return fixedLength(n.subs[0])
	case nConcat:
		total := 0
		for _, s := range n.subs {
			l, ok := fixedLength(s)
			if !ok {
				return 0, false
			}
			total += l
		}
		return total, true
	case nAlternate:
		l0 := -1
		for _, s := range n.subs {
			l, ok := fixedLength(s)
			if !ok || l0 >= 0 && l != l0 {
				return 0, false
			}
			l0 = l
		}
		return l0, true
	case nRepeat:
		if n.min != n.max {
			return 0, false
		}
		l, ok := fixedLength(n.subs[0])
		return l * n.min, ok
	}
	return 0, false
}

// compile builds n's function given the function and summary of the rest.
func (c *compiler) compile(n *node, next matchFn, follow firstInfo) (matchFn, error) {
	switch n.kind {
	case nLiteral:
		return literal(n.text, next), nil
	case nClass, nAny:
		cm := newCharMatcher(n)
		return func(m *machine, i int) bool {
			if w := cm.width(m.s, i); w > 0 {
				return next(m, i+w)
			}
			return false
		}, nil
	case nConcat:
		fn, f := next, follow
		for k := len(n.subs) - 1; k >= 0; k-- {
			var err error
			if fn, err = c.compile(n.subs[k], fn, f); err != nil {
				return nil, err
			}
			f = first(n.subs[k], f)
		}
		return fn, nil
	case nAlternate:
		return c.alternate(n, next, follow)
	case nRepeat:
		return c.repeat(n, next, follow)
	case nGroup:
		if n.index == 0 {
			return c.compile(n.subs[0], next, follow)
		}
		return c.capture(n, next, follow)
	case nAtomic:
		return c.atomic(n.subs[0], next)
	case nLook:
		return c.look(n, next)
	case nAssert:
		return assert(n.assert, next), nil
	}
	return nil, unsupported("node kind %d", n.kind)
}

func literal(text string, next matchFn) matchFn {
	if len(text) == 1 {
		b := text[0]
		return func(m *machine, i int) bool {
			return i < len(m.s) && m.s[i] == b && next(m, i+1)
		}
	}
	return func(m *machine, i int) bool {
		return strings.HasPrefix(m.s[i:], text) && next(m, i+len(text))
	}
}

// branch is one alternative, with the tests that rule it out cheaply.
type branch struct {
	fn     matchFn
	first  firstInfo // where the branch and what follows can begin
	depth  int       // prefix offsets worth testing (from 1)
	prefix prefix    // the branch's own leading bytes
}

func (c *compiler) alternate(n *node, next matchFn, follow firstInfo) (matchFn, error) {
	bs := make([]branch, len(n.subs))
	for k, sub := range n.subs {
		fn, err := c.compile(sub, next, follow)
		if err != nil {
			return nil, err
		}
		b := branch{fn: fn, first: first(sub, follow), prefix: prefixOf(sub, fullPrefix())}
		b.depth = b.prefix.depth()
		bs[k] = b
	}
	try := func(m *machine, i int, b *branch) bool {
		if b.depth > 1 && !b.prefix.allows(m.s, i, 1, b.depth) {
			return false
		}
		return !m.step() && b.fn(m, i)
	}
	if len(bs) <= 4 || len(bs) > 64 {
		// A few branches: their tests sit together in memory.
		return func(m *machine, i int) bool {
			for k := range bs {
				if b := &bs[k]; b.first.allow(m.s, i) && try(m, i, b) {
					return true
				}
			}
			return false
		}, nil
	}
	// Many branches: a table of the branches that can start with each byte
	// (an index into the few distinct sets of them), and those at the end.
	var byByte [256]uint8
	var sets []uint64
	var atEnd uint64
	for b := 0; b < 256; b++ {
		var set uint64
		for k := range bs {
			if f := &bs[k].first; f.any || f.set.has(byte(b)) {
				set |= 1 << k
			}
		}
		x := slices.Index(sets, set)
		if x < 0 {
			x = len(sets)
			sets = append(sets, set)
		}
		byByte[b] = uint8(x)
	}
	for k := range bs {
		if bs[k].first.any {
			atEnd |= 1 << k
		}
	}
	return func(m *machine, i int) bool {
		candidates := atEnd
		if i < len(m.s) {
			candidates = sets[byByte[m.s[i]]]
		}
		for candidates != 0 {
			k := bits.TrailingZeros64(candidates)
			candidates &= candidates - 1
			if try(m, i, &bs[k]) {
				return true
			}
		}
		return false
	}, nil
}

func (c *compiler) capture(n *node, next matchFn, follow firstInfo) (matchFn, error) {
	start, end := 2*n.index, 2*n.index+1
	closeFn := func(m *machine, i int) bool {
		old := m.caps[end]
		m.caps[end] = i
		if next(m, i) {
			return true
		}
		m.caps[end] = old
		return false
	}
	body, err := c.compile(n.subs[0], closeFn, follow)
	if err != nil {
		return nil, err
	}
	return func(m *machine, i int) bool {
		old := m.caps[start]
		m.caps[start] = i
		if body(m, i) {
			return true
		}
		m.caps[start] = old
		return false
	}, nil
}

// accept ends the body of an atomic group or look-around: it succeeds
// wherever it is reached, noting where.
func accept(m *machine, i int) bool {
	m.innerEnd = i
	return true
}

// atomic is (?>body): the first way body matches, never another.
func (c *compiler) atomic(sub *node, next matchFn) (matchFn, error) {
	body, err := c.compile(sub, accept, anyFirst)
	if err != nil {
		return nil, err
	}
	slots := captureSlots(sub, nil)
	if len(slots) == 0 {
		return func(m *machine, i int) bool {
			return body(m, i) && next(m, m.innerEnd)
		}, nil
	}
	return func(m *machine, i int) bool {
		mark := m.save(slots)
		if !body(m, i) {
			m.saved = m.saved[:mark]
			return false
		}
		if next(m, m.innerEnd) {
			return true
		}
		m.restore(slots, mark)
		return false
	}, nil
}

// look is a look-ahead or look-behind, positive or negative.
func (c *compiler) look(n *node, next matchFn) (matchFn, error) {
	type branch struct {
		fn     matchFn
		length int // characters back from the current position (look-behind)
	}
	var branches []branch
	alts := []*node{n.subs[0]}
	if n.behind && n.subs[0].kind == nAlternate {
		alts = n.subs[0].subs // Onigmo places each alternative by its own length
	}
	for _, a := range alts {
		fn, err := c.compile(a, accept, anyFirst)
		if err != nil {
			return nil, err
		}
		b := branch{fn: fn}
		if n.behind {
			l, ok := fixedLength(a)
			if !ok {
				return nil, unsupported("look-behind of varying length")
			}
			b.length = l
		}
		branches = append(branches, b)
	}
	slots := captureSlots(n.subs[0], nil)
	behind, negate := n.behind, n.negate
	matches := func(m *machine, i int) bool {
		if !behind {
			return branches[0].fn(m, i)
		}
		for _, b := range branches {
			if j := back(m.s, i, b.length); j >= 0 && b.fn(m, j) {
				return true
			}
		}
		return false
	}
	return func(m *machine, i int) bool {
		mark := m.save(slots)
		if matches(m, i) == negate {
			m.restore(slots, mark)
			return false
		}
		if next(m, i) {
			return true
		}
		m.restore(slots, mark)
		return false
	}, nil
}

// back returns the offset n characters before i, or -1.
func back(s string, i, n int) int {
	for ; n > 0; n-- {
		if i == 0 {
			return -1
		}
		if s[i-1] < utf8.RuneSelf {
			i--
		} else {
			_, w := utf8.DecodeLastRuneInString(s[:i])
			i -= w
		}
	}
	return i
}

func assert(a assertion, next matchFn) matchFn {
	switch a {
	case aLineStart:
		// Ruby's ^ is not at the end of a text that ends in a newline.
		return func(m *machine, i int) bool {
			return (i == 0 || m.s[i-1] == '\n' && i < len(m.s)) && next(m, i)
		}
	case aLineEnd:
		return func(m *machine, i int) bool {
			return (i == len(m.s) || m.s[i] == '\n') && next(m, i)
		}
	case aTextStart:
		return func(m *machine, i int) bool { return i == 0 && next(m, i) }
	case aTextEnd:
		return func(m *machine, i int) bool { return i == len(m.s) && next(m, i) }
	case aTextEndLine:
		return func(m *machine, i int) bool {
			return (i == len(m.s) || i == len(m.s)-1 && m.s[i] == '\n') && next(m, i)
		}
	case aWordBound:
		return func(m *machine, i int) bool { return wordBefore(m.s, i) != wordAt(m.s, i) && next(m, i) }
	default:
		return func(m *machine, i int) bool { return wordBefore(m.s, i) == wordAt(m.s, i) && next(m, i) }
	}
}
