package onigmo

import (
	"sort"
	"unicode/utf8"
)

// charClass is a set of characters: a bitmap for ASCII, and above it either
// every character (allAbove, as in \S) or the listed ranges, negated
// when invertAbove is set.
type charClass struct {
	ascii       [2]uint64
	allAbove    bool
	ranges      []runeRange // above ASCII, sorted and disjoint once built
	invertAbove bool        // set by [^...]: membership above ASCII is inverted
}

type runeRange struct{ lo, hi rune }

func (c *charClass) hasASCII(b byte) bool { return c.ascii[b>>6]&(1<<(b&63)) != 0 }

func (c *charClass) setASCII(b byte) { c.ascii[b>>6] |= 1 << (b & 63) }

// hasAbove tells whether r (above ASCII) is in the class.
func (c *charClass) hasAbove(r rune) bool {
	in := c.allAbove
	if !in && len(c.ranges) > 0 {
		i := sort.Search(len(c.ranges), func(i int) bool { return c.ranges[i].hi >= r })
		in = i < len(c.ranges) && c.ranges[i].lo <= r
	}
	return in != c.invertAbove
}

// matchesAbove tells whether the class has any character above ASCII.
func (c *charClass) matchesAbove() bool {
	if c.invertAbove {
		return !c.allAbove
	}
	return c.allAbove || len(c.ranges) > 0
}

func (c *charClass) addRange(lo, hi rune) {
	for ; lo <= hi && lo < utf8.RuneSelf; lo++ {
		c.setASCII(byte(lo))
	}
	if lo <= hi {
		c.ranges = append(c.ranges, runeRange{lo, hi})
		c.normalize()
	}
}

// union adds o's members. Neither class is inverted yet: the parser
// inverts a class only once it is complete, and refuses nested [^...].
func (c *charClass) union(o *charClass) {
	c.ascii[0] |= o.ascii[0]
	c.ascii[1] |= o.ascii[1]
	c.allAbove = c.allAbove || o.allAbove
	c.ranges = append(c.ranges, o.ranges...)
	c.normalize()
}

// invert turns the class into its complement ([^...]).
func (c *charClass) invert() {
	c.ascii[0] = ^c.ascii[0]
	c.ascii[1] = ^c.ascii[1]
	c.invertAbove = !c.invertAbove
}

func (c *charClass) normalize() {
	sort.Slice(c.ranges, func(i, j int) bool { return c.ranges[i].lo < c.ranges[j].lo })
	out := c.ranges[:0]
	for _, r := range c.ranges {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	c.ranges = out
}

// Ruby's shorthands are ASCII-only: \d \w \s \h match ASCII characters, and
// their negations everything else, every non-ASCII character included.
var (
	digitChars = asciiClass("0123456789")
	wordChars  = asciiClass("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
	spaceChars = asciiClass("\t\n\v\f\r ")
	hexChars   = asciiClass("0123456789ABCDEFabcdef")
)

func asciiClass(members string) *charClass {
	c := &charClass{}
	for i := 0; i < len(members); i++ {
		c.setASCII(members[i])
	}
	return c
}

// shorthandClass returns a fresh class for \d \D \w \W \s \S \h \H, or nil.
func shorthandClass(letter byte) *charClass {
	var base *charClass
	switch letter | 0x20 {
	case 'd':
		base = digitChars
	case 'w':
		base = wordChars
	case 's':
		base = spaceChars
	case 'h':
		base = hexChars
	default:
		return nil
	}
	c := *base
	if letter >= 'A' && letter <= 'Z' {
		c.invert()
		// Everything above ASCII, as one flag rather than an inverted
		// empty list, so unions stay simple.
		c.invertAbove, c.allAbove = false, true
	}
	return &c
}

// byteSet is a set of bytes, for first-byte tests.
type byteSet [4]uint64

func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) addAll(o *byteSet) {
	for i := range s {
		s[i] |= o[i]
	}
}

// addLeadBytes adds every byte that starts a multi-byte UTF-8 character.
func (s *byteSet) addLeadBytes() {
	for b := 0xC2; b <= 0xF4; b++ {
		s.add(byte(b))
	}
}

// count returns the number of members and one of them.
func (s *byteSet) count() (int, byte) {
	n, one := 0, byte(0)
	for b := 0; b < 256; b++ {
		if s.has(byte(b)) {
			n++
			one = byte(b)
		}
	}
	return n, one
}

// firstBytes returns the bytes a member of c can start with.
func (c *charClass) firstBytes() byteSet {
	var s byteSet
	s[0], s[1] = c.ascii[0], c.ascii[1]
	if c.matchesAbove() {
		s.addLeadBytes()
	}
	return s
}
