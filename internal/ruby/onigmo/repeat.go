package onigmo

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// charMatcher matches one character of a class, a one-character literal
// or a dot, with a byte table for ASCII.
type charMatcher struct {
	member   [256]bool  // ASCII members (bytes 0x80 and up are never set)
	ascii    byteSet    // the same as a bitmap
	above    bool       // whether any character above ASCII can match
	anyAbove bool       // every character above ASCII matches
	class    *charClass // the class, for characters above ASCII otherwise
}

func newCharMatcher(n *node) *charMatcher {
	cm := &charMatcher{}
	switch n.kind {
	case nAny:
		for b := 0; b < utf8.RuneSelf; b++ {
			if n.dotAll || b != '\n' {
				cm.ascii.add(byte(b))
			}
		}
		cm.above, cm.anyAbove = true, true
	case nClass:
		cm.ascii[0], cm.ascii[1] = n.class.ascii[0], n.class.ascii[1]
		cm.above = n.class.matchesAbove()
		cm.anyAbove = n.class.allAbove != n.class.invertAbove && len(n.class.ranges) == 0
		cm.class = n.class
	case nLiteral:
		r, _ := utf8.DecodeRuneInString(n.text)
		cc := &charClass{}
		cc.addRange(r, r)
		return newCharMatcher(&node{kind: nClass, class: cc})
	}
	for b := 0; b < utf8.RuneSelf; b++ {
		cm.member[b] = cm.ascii.has(byte(b))
	}
	return cm
}

// width returns the length of the character at s[i] when it matches, or 0.
func (cm *charMatcher) width(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	if b := s[i]; b < utf8.RuneSelf {
		if cm.ascii.has(b) {
			return 1
		}
		return 0
	}
	if !cm.above {
		return 0
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	if cm.anyAbove || cm.class.hasAbove(r) {
		return w
	}
	return 0
}

// singleChar tells whether n matches exactly one character.
func singleChar(n *node) bool {
	switch n.kind {
	case nClass, nAny:
		return true
	case nLiteral:
		_, size := utf8.DecodeRuneInString(n.text)
		return size == len(n.text)
	case nGroup:
		return n.index == 0 && singleChar(n.subs[0])
	}
	return false
}

func (c *compiler) repeat(n *node, next matchFn, follow firstInfo) (matchFn, error) {
	sub := n.subs[0]
	for sub.kind == nGroup && sub.index == 0 {
		sub = sub.subs[0]
	}
	if singleChar(sub) {
		cm := newCharMatcher(sub)
		switch {
		case n.possessive:
			return possessiveChars(cm, n.min, n.max, next), nil
		case n.greedy:
			return greedyChars(cm, n.min, n.max, next, follow), nil
		default:
			return lazyChars(cm, n.min, n.max, next, follow), nil
		}
	}
	if n.possessive {
		// x*+ is (?>x*).
		inner := *n
		inner.possessive = false
		return c.atomic(&inner, next)
	}
	if n.max == 1 {
		body, err := c.compile(n.subs[0], next, follow)
		if err != nil {
			return nil, err
		}
		if n.min == 1 {
			return body, nil
		}
		if n.greedy {
			return func(m *machine, i int) bool {
				return body(m, i) || !m.step() && next(m, i)
			}, nil
		}
		return func(m *machine, i int) bool {
			return next(m, i) || !m.step() && body(m, i)
		}, nil
	}
	if nullable(n.subs[0]) {
		return c.emptyCheckedStar(n, next, follow)
	}
	id := c.counters
	c.counters++
	min, max := n.min, n.max
	var iterate matchFn
	again := func(m *machine, i int) bool { return iterate(m, i) }
	body, err := c.compile(n.subs[0], again, union(first(n.subs[0], follow), follow))
	if err != nil {
		return nil, err
	}
	if n.greedy {
		iterate = func(m *machine, i int) bool {
			count := m.counts[id]
			if count != max {
				if m.step() || m.enter() {
					return false
				}
				m.counts[id] = count + 1
				matched := body(m, i)
				m.leave()
				if matched {
					return true
				}
				m.counts[id] = count
			}
			return count >= min && next(m, i)
		}
	} else {
		iterate = func(m *machine, i int) bool {
			count := m.counts[id]
			if count >= min && next(m, i) {
				return true
			}
			if count == max || m.step() || m.enter() {
				return false
			}
			m.counts[id] = count + 1
			matched := body(m, i)
			m.leave()
			if matched {
				return true
			}
			m.counts[id] = count
			return false
		}
	}
	return func(m *machine, i int) bool {
		outer := m.counts[id] // an enclosing repeat's pass through this one
		m.counts[id] = 0
		if iterate(m, i) {
			return true
		}
		m.counts[id] = outer
		return false
	}, nil
}

// emptyCheckedStar is x* or x*? where x can match empty. Onigmo ends such
// a loop, going on with what follows, after an iteration that consumed
// nothing. For x+ and x{n,m} it checks only some iterations, depending on
// the size of its bytecode for x: those are left to the general engine.
func (c *compiler) emptyCheckedStar(n *node, next matchFn, follow firstInfo) (matchFn, error) {
	if n.min != 0 || n.max >= 0 {
		return nil, unsupported("repeat of a pattern that can match empty")
	}
	if lookCaptures(n.subs[0], false) {
		// Onigmo's check then also weighs captures that moved.
		return nil, unsupported("captures in a look-around in a repeat of a pattern that can match empty")
	}
	id := c.counters
	c.counters++
	var iterate matchFn
	again := func(m *machine, i int) bool {
		if i == m.counts[id] {
			return next(m, i) // an empty iteration ends the loop
		}
		return iterate(m, i)
	}
	body, err := c.compile(n.subs[0], again, anyFirst)
	if err != nil {
		return nil, err
	}
	// The counter holds where the current iteration began.
	run := func(m *machine, i int) bool {
		if m.step() || m.enter() {
			return false
		}
		outer := m.counts[id]
		m.counts[id] = i
		matched := body(m, i)
		m.leave()
		if matched {
			return true
		}
		m.counts[id] = outer
		return false
	}
	if n.greedy {
		iterate = func(m *machine, i int) bool { return run(m, i) || next(m, i) }
	} else {
		iterate = func(m *machine, i int) bool { return next(m, i) || run(m, i) }
	}
	return iterate, nil
}

// lookCaptures tells whether n has a capture group inside a look-around.
func lookCaptures(n *node, inLook bool) bool {
	if inLook && n.kind == nGroup && n.index > 0 {
		return true
	}
	for _, s := range n.subs {
		if lookCaptures(s, inLook || n.kind == nLook) {
			return true
		}
	}
	return false
}

// scanChars matches cm from i as often as it can, up to max characters
// (max < 0: no limit). It returns where the run ends, and where its first
// min characters end (-1 when the run is shorter).
func scanChars(cm *charMatcher, s string, i, min, max int) (end, minEnd int) {
	j := i
	if max < 0 {
		for {
			j += asciiRun(&cm.member, s[j:])
			if j < len(s) && s[j] >= utf8.RuneSelf && cm.above {
				if w := cm.width(s, j); w > 0 {
					j += w
					continue
				}
			}
			break
		}
		k := i
		for n := 0; n < min; n++ {
			if k >= j {
				return j, -1
			}
			if s[k] < utf8.RuneSelf {
				k++
			} else {
				_, w := utf8.DecodeRuneInString(s[k:])
				k += w
			}
		}
		return j, k
	}
	minEnd = -1
	for n := 0; ; n++ {
		if n == min {
			minEnd = j
		}
		if n == max || j >= len(s) {
			break
		}
		if b := s[j]; b < utf8.RuneSelf {
			if !cm.member[b] {
				break
			}
			j++
		} else {
			w := cm.width(s, j)
			if w == 0 {
				break
			}
			j += w
		}
	}
	return j, minEnd
}

// asciiRun returns the length of the prefix of s made of member bytes.
func asciiRun(member *[256]bool, s string) int {
	for k := 0; k < len(s); k++ {
		if !member[s[k]] {
			return k
		}
	}
	return len(s)
}

func possessiveChars(cm *charMatcher, min, max int, next matchFn) matchFn {
	return func(m *machine, i int) bool {
		j, minEnd := scanChars(cm, m.s, i, min, max)
		return minEnd >= 0 && next(m, j)
	}
}

// greedyChars takes as many characters as it can, then gives them back
// one at a time, trying the rest only where it can start.
func greedyChars(cm *charMatcher, min, max int, next matchFn, follow firstInfo) matchFn {
	return func(m *machine, i int) bool {
		s := m.s
		j, minEnd := scanChars(cm, s, i, min, max)
		if minEnd < 0 {
			return false
		}
		for {
			if follow.allow(s, j) && next(m, j) {
				return true
			}
			if j == minEnd || m.step() {
				return false
			}
			if s[j-1] < utf8.RuneSelf {
				j--
			} else {
				_, w := utf8.DecodeLastRuneInString(s[:j])
				j -= w
			}
		}
	}
}

// lazyChars takes as few characters as it can, one more each time the rest
// fails.
func lazyChars(cm *charMatcher, min, max int, next matchFn, follow firstInfo) matchFn {
	// .*? (dot matching newlines) before a known byte jumps from one
	// occurrence of it to the next.
	if cm.anyAbove && cm.ascii == allASCII && max < 0 && !follow.any {
		if count, b := follow.set.count(); count == 1 {
			return func(m *machine, i int) bool {
				s := m.s
				j := i
				for k := 0; k < min; k++ {
					w := cm.width(s, j)
					if w == 0 {
						return false
					}
					j += w
				}
				for {
					k := strings.IndexByte(s[j:], b)
					if k < 0 {
						return false
					}
					j += k
					if next(m, j) {
						return true
					}
					if m.step() {
						return false
					}
					j++
				}
			}
		}
	}
	return func(m *machine, i int) bool {
		s := m.s
		j, n := i, 0
		for ; n < min; n++ {
			w := cm.width(s, j)
			if w == 0 {
				return false
			}
			j += w
		}
		for {
			if follow.allow(s, j) && next(m, j) {
				return true
			}
			if n == max || m.step() {
				return false
			}
			w := cm.width(s, j)
			if w == 0 {
				return false
			}
			j += w
			n++
		}
	}
}

var allASCII = func() byteSet {
	var s byteSet
	for b := 0; b < utf8.RuneSelf; b++ {
		s.add(byte(b))
	}
	return s
}()

// wordAt tells whether the character at s[i] is a word character for \b.
func wordAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if b := s[i]; b < utf8.RuneSelf {
		return wordChars.hasASCII(b)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.Is(wordAboveASCII, r)
}

// wordBefore tells whether the character ending at s[i] is a word character.
func wordBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	if b := s[i-1]; b < utf8.RuneSelf {
		return wordChars.hasASCII(b)
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.Is(wordAboveASCII, r)
}
