package onigmo

// prefixLen is how many leading bytes a prefix describes.
const prefixLen = 4

// prefix holds, for each of the first bytes of a match, the bytes that can
// be there (when the text is that long): a cheap test that rules out most
// places where a branch, or the whole pattern, cannot match. A full set
// says nothing.
type prefix [prefixLen]byteSet

var fullSet = byteSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

func fullPrefix() prefix { return prefix{fullSet, fullSet, fullSet, fullSet} }

func (p *prefix) union(o *prefix) {
	for k := range p {
		p[k].addAll(&o[k])
	}
}

// depth returns how many leading offsets tell something, up to the first
// full set.
func (p *prefix) depth() int {
	for k := range p {
		if p[k] == fullSet {
			return k
		}
	}
	return prefixLen
}

// allows tells whether a match may begin at s[i], as far as the text goes,
// checking offsets from..depth-1.
func (p *prefix) allows(s string, i, from, depth int) bool {
	for k := from; k < depth && i+k < len(s); k++ {
		if !p[k].has(s[i+k]) {
			return false
		}
	}
	return true
}

// prefixOf computes the prefix of n followed by what follow describes.
func prefixOf(n *node, follow prefix) prefix {
	switch n.kind {
	case nLiteral:
		var p prefix
		for k := range p {
			if k < len(n.text) {
				p[k].add(n.text[k])
			} else {
				p[k] = follow[k-len(n.text)]
			}
		}
		return p
	case nClass, nAny:
		cm := newCharMatcher(n)
		p := fullPrefix()
		p[0] = cm.ascii
		if cm.above {
			// A character of several bytes: what follows it is out of step.
			p[0].addLeadBytes()
			return p
		}
		copy(p[1:], follow[:])
		return p
	case nConcat:
		p := follow
		for k := len(n.subs) - 1; k >= 0; k-- {
			p = prefixOf(n.subs[k], p)
		}
		return p
	case nAlternate:
		var p prefix
		for _, b := range n.subs {
			bp := prefixOf(b, follow)
			p.union(&bp)
		}
		return p
	case nRepeat:
		return repeatPrefix(n, follow)
	case nGroup, nAtomic:
		return prefixOf(n.subs[0], follow)
	}
	return follow // zero-width: anchors and look-arounds
}

// repeatPrefix unions the prefixes of min, min+1, ... iterations followed by
// follow. Once every offset lies inside the iterations (or the sets stop
// growing) more iterations add nothing; a repeat that takes too long to
// settle says nothing.
func repeatPrefix(n *node, follow prefix) prefix {
	var p prefix
	cur := follow // count iterations, then follow
	for count := 0; ; count++ {
		if count >= n.min {
			before := p
			p.union(&cur)
			if count >= n.min+prefixLen && p == before {
				return p
			}
		}
		if count == n.max {
			return p
		}
		if count > n.min+8*prefixLen {
			return fullPrefix()
		}
		cur = prefixOf(n.subs[0], cur)
	}
}
