// Package onigmo matches Ruby (Onigmo) regular expressions by backtracking
// over UTF-8 text, as MRI does: the same match, the same captures. It
// covers the constructs grok patterns use (groups, alternatives, greedy,
// lazy and possessive repeats, atomic groups, look-ahead, fixed-length
// look-behind, anchors, ASCII shorthands and Ruby's Unicode \b); Compile
// returns an error wrapping ErrUnsupported for anything else, so that the
// caller can run such a pattern on a general engine.
//
// A compiled pattern is a chain of closures, one per element, each holding
// the closure of what follows it: matching is calling, backtracking is
// returning false, and captures are restored on the way back.
package onigmo

import (
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrTimeout is returned when a match runs past its time limit.
var ErrTimeout = errors.New("match timeout")

// ErrTooDeep is returned when a match nests more repeat iterations than
// the goroutine stack should hold (each one is a few calls deep): the
// caller can use an engine with a stack of its own for that text.
var ErrTooDeep = errors.New("match nests too many repeat iterations")

// maxIterationDepth bounds the nested iterations of repeats that are not
// one character at a time, about a kilobyte of stack each.
const maxIterationDepth = 20000

// Regexp is a compiled pattern, safe for concurrent use.
type Regexp struct {
	names    []string // per group, from 1: its name, "" when unnamed
	root     matchFn
	first    firstInfo
	anchor   assertion // aTextStart or aLineStart when every match begins so; else aWordBound (none)
	required string    // text every match contains, or ""
	// Without such text, a few bytes one of which every match contains.
	requiredSet  byteSet
	requiredSize int
	// When every match begins with the same byte: that byte.
	firstByte     byte
	firstByteOnly bool
	// The bytes matches can begin with, for skipping start positions.
	prefix      prefix
	prefixDepth int
	counters    int
	machines    sync.Pool
}

// machine is the state of one match.
type machine struct {
	s        string
	caps     []int // start and end per group, group 0 being the whole match
	innerEnd int   // where the body of an atomic group or look-around ended
	counts   []int // iterations of each general repeat
	saved    []int // capture slots kept for restoring, as a stack
	budget   int   // steps left before the clock is read
	started  time.Time
	timeout  time.Duration
	depth    int   // iterations of general repeats on the current path
	abort    error // why the match stopped early: ErrTimeout or ErrTooDeep
}

// stepsPerClockRead is how many backtracking steps pass between reads of
// the clock: a few microseconds' work, far below any useful time limit.
const stepsPerClockRead = 4096

// step counts one backtracking step and reports whether time is up.
func (m *machine) step() bool {
	m.budget--
	return m.budget < 0 && m.clock()
}

func (m *machine) clock() bool {
	if m.abort != nil {
		return true
	}
	m.budget = stepsPerClockRead
	if m.timeout <= 0 {
		return false
	}
	// The time limit counts from the first read, one budget into the match.
	now := time.Now()
	if m.started.IsZero() {
		m.started = now
	} else if now.Sub(m.started) > m.timeout {
		m.abort = ErrTimeout
	}
	return m.abort != nil
}

// enter counts one more nested iteration of a general repeat and reports
// whether the match must stop; leave undoes it.
func (m *machine) enter() bool {
	m.depth++
	if m.depth > maxIterationDepth && m.abort == nil {
		m.abort = ErrTooDeep
		m.budget = 0
	}
	return m.abort != nil
}

func (m *machine) leave() { m.depth-- }

// save pushes the current values of slots and returns the stack mark.
func (m *machine) save(slots []int) int {
	mark := len(m.saved)
	for _, k := range slots {
		m.saved = append(m.saved, m.caps[k])
	}
	return mark
}

// restore puts back the values saved at mark and pops them.
func (m *machine) restore(slots []int, mark int) {
	for x, k := range slots {
		m.caps[k] = m.saved[mark+x]
	}
	m.saved = m.saved[:mark]
}

// Compile compiles a Ruby regular expression; dotAll is Ruby's MULTILINE
// option (a dot matches a newline).
func Compile(src string, dotAll bool) (*Regexp, error) {
	tree, names, err := parse(src, dotAll)
	if err != nil {
		return nil, err
	}
	c := &compiler{}
	root, err := c.compile(tree, func(m *machine, i int) bool {
		m.caps[1] = i
		return true
	}, anyFirst)
	if err != nil {
		return nil, err
	}
	re := &Regexp{
		names:    names,
		root:     root,
		first:    first(tree, anyFirst),
		anchor:   leadingAnchor(tree),
		required: longestRequired(tree),
		counters: c.counters,
	}
	re.prefix = prefixOf(tree, fullPrefix())
	re.prefixDepth = re.prefix.depth()
	if !re.first.any {
		n, b := re.first.set.count()
		re.firstByte, re.firstByteOnly = b, n == 1
	}
	if re.required == "" {
		// A scan for one of a handful of bytes is cheap next to a match.
		if set, size := requiredBytes(tree); size <= 4 {
			re.requiredSet, re.requiredSize = set, size
		}
	}
	re.machines.New = func() any {
		return &machine{caps: make([]int, 2*(len(names)+1)), counts: make([]int, re.counters)}
	}
	return re, nil
}

// NumGroups returns the number of capture groups.
func (re *Regexp) NumGroups() int { return len(re.names) }

// GroupNames returns the name of each group (index 0 is group 1); an
// unnamed group's is "".
func (re *Regexp) GroupNames() []string { return re.names }

// Match finds the first match in s, which must be valid UTF-8, from byte
// offset from on, and writes the byte offsets of each group into caps
// (start and end, -1 for a group that did not take part; group 0 is the
// whole match). caps must hold 2*(NumGroups()+1) ints. A timeout > 0
// limits the time spent.
func (re *Regexp) Match(s string, from int, caps []int, timeout time.Duration) (bool, error) {
	if re.required != "" && !strings.Contains(s[from:], re.required) ||
		re.requiredSize > 0 && !re.containsRequiredByte(s[from:]) {
		return false, nil
	}
	m := re.machines.Get().(*machine)
	defer re.machines.Put(m)
	m.s = s
	m.budget = stepsPerClockRead
	m.started = time.Time{}
	m.timeout = timeout
	m.abort = nil
	m.depth = 0
	for k := range m.caps {
		m.caps[k] = -1
	}
	matched := re.search(m, from)
	m.s = ""
	if m.abort != nil {
		return false, m.abort
	}
	if matched {
		copy(caps, m.caps)
	}
	return matched, nil
}

func (re *Regexp) containsRequiredByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if re.requiredSet.has(s[i]) {
			return true
		}
	}
	return false
}

func (re *Regexp) search(m *machine, from int) bool {
	s := m.s
	for start := from; start <= len(s); {
		switch re.anchor {
		case aTextStart:
			if start != 0 {
				return false
			}
		case aLineStart:
			if start != 0 && s[start-1] != '\n' {
				k := strings.IndexByte(s[start:], '\n')
				if k < 0 {
					return false
				}
				start += k + 1
			}
		}
		if !re.first.any {
			// Skip to a byte a match can begin with.
			if re.firstByteOnly {
				k := strings.IndexByte(s[start:], re.firstByte)
				if k < 0 {
					return false
				}
				start += k
			} else {
				for start < len(s) && !re.first.set.has(s[start]) {
					start++
				}
				if start == len(s) {
					return false
				}
			}
			if re.anchor == aLineStart && start != 0 && s[start-1] != '\n' {
				continue
			}
		}
		if re.prefix.allows(s, start, 1, re.prefixDepth) {
			m.caps[0] = start
			m.saved = m.saved[:0]
			if re.root(m, start) {
				return true
			}
		}
		if m.abort != nil || start == len(s) || m.step() {
			return false
		}
		if s[start] < utf8.RuneSelf {
			start++
		} else {
			_, w := utf8.DecodeRuneInString(s[start:])
			start += w
		}
	}
	return false
}

// leadingAnchor returns aTextStart or aLineStart when every match must
// begin with that anchor.
func leadingAnchor(n *node) assertion {
	for {
		switch n.kind {
		case nAssert:
			if n.assert == aTextStart || n.assert == aLineStart {
				return n.assert
			}
			return aWordBound
		case nConcat:
			n = n.subs[0]
		case nGroup, nAtomic:
			n = n.subs[0]
		default:
			return aWordBound
		}
	}
}

// requiredBytes returns the smallest set of bytes found for an element every
// match has, so that every match contains one of them; n is 0 when none is
// known. Onigmo skips its search the same way when the text has none.
func requiredBytes(n *node) (set byteSet, size int) {
	consider := func(s byteSet, k int) {
		if k > 0 && (size == 0 || k < size) {
			set, size = s, k
		}
	}
	switch n.kind {
	case nConcat:
		for _, s := range n.subs {
			consider(requiredBytes(s))
		}
		return set, size
	case nGroup, nAtomic:
		consider(requiredBytes(n.subs[0]))
	case nRepeat:
		if n.min == 0 {
			return set, 0
		}
		consider(requiredBytes(n.subs[0]))
	case nAssert, nLook:
		return set, 0
	}
	if f := first(n, anyFirst); !f.any {
		k, _ := f.set.count()
		consider(f.set, k)
	}
	return set, size
}

// longestRequired returns the longest literal that every match contains.
func longestRequired(n *node) string {
	switch n.kind {
	case nLiteral:
		return n.text
	case nConcat:
		best := ""
		for _, s := range n.subs {
			if r := longestRequired(s); len(r) > len(best) {
				best = r
			}
		}
		return best
	case nGroup, nAtomic:
		return longestRequired(n.subs[0])
	case nRepeat:
		if n.min > 0 {
			return longestRequired(n.subs[0])
		}
	}
	return ""
}
