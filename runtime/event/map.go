package event

// Map is a string-keyed map that remembers insertion order, so events print
// deterministically (Logstash's own order is a hash order; ours is the order
// fields were set, which for decoded JSON is the document's order).
//
// Small maps (most events) are searched linearly; an index is built once a
// map grows past indexThreshold keys.
type Map struct {
	keys  []string
	vals  []any
	index map[string]int
}

const indexThreshold = 12

// NewMap returns an empty map with room for at least n keys. Up to 8 keys,
// the map and its room come from one allocation instead of three: an event
// is several maps, and allocation is most of the cost of making one. The
// whole block is room: keys past n cost nothing until it is full.
func NewMap(n int) *Map {
	switch {
	case n <= 1:
		b := &mapBlock1{}
		b.init()
		return &b.m
	case n <= 2:
		b := &mapBlock2{}
		b.init()
		return &b.m
	case n <= 4:
		b := &mapBlock4{}
		b.init()
		return &b.m
	case n <= 8:
		b := &mapBlock8{}
		b.init()
		return &b.m
	}
	return &Map{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

type mapBlock1 struct {
	m    Map
	keys [1]string
	vals [1]any
}

type mapBlock2 struct {
	m    Map
	keys [2]string
	vals [2]any
}

type mapBlock4 struct {
	m    Map
	keys [4]string
	vals [4]any
}

type mapBlock8 struct {
	m    Map
	keys [8]string
	vals [8]any
}

func (b *mapBlock1) init() { b.m.keys, b.m.vals = b.keys[:0], b.vals[:0] }
func (b *mapBlock2) init() { b.m.keys, b.m.vals = b.keys[:0], b.vals[:0] }
func (b *mapBlock4) init() { b.m.keys, b.m.vals = b.keys[:0], b.vals[:0] }
func (b *mapBlock8) init() { b.m.keys, b.m.vals = b.keys[:0], b.vals[:0] }

func (m *Map) find(k string) int {
	if m.index != nil {
		if i, ok := m.index[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range m.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// Len is the number of keys.
func (m *Map) Len() int { return len(m.keys) }

// Get returns the value for k.
func (m *Map) Get(k string) (any, bool) {
	if i := m.find(k); i >= 0 {
		return m.vals[i], true
	}
	return nil, false
}

// Has reports whether k is present.
func (m *Map) Has(k string) bool { return m.find(k) >= 0 }

// Set sets k to v; a new key goes last, an existing key keeps its place.
func (m *Map) Set(k string, v any) {
	if i := m.find(k); i >= 0 {
		m.vals[i] = v
		return
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	if m.index != nil {
		m.index[k] = len(m.keys) - 1
	} else if len(m.keys) > indexThreshold {
		m.index = make(map[string]int, len(m.keys)*2)
		for i, key := range m.keys {
			m.index[key] = i
		}
	}
}

// Delete removes k and returns its value.
func (m *Map) Delete(k string) (any, bool) {
	i := m.find(k)
	if i < 0 {
		return nil, false
	}
	v := m.vals[i]
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
	if m.index != nil {
		delete(m.index, k)
		for j := i; j < len(m.keys); j++ {
			m.index[m.keys[j]] = j
		}
	}
	return v, true
}

// Keys returns the keys in order. The slice must not be modified.
func (m *Map) Keys() []string { return m.keys }

// Range calls fn for each entry in order until fn returns false.
func (m *Map) Range(fn func(k string, v any) bool) {
	for i, k := range m.keys {
		if !fn(k, m.vals[i]) {
			return
		}
	}
}

// Clear removes every key.
func (m *Map) Clear() {
	m.keys = m.keys[:0]
	m.vals = m.vals[:0]
	m.index = nil
}

// Clone returns a deep copy: nested maps and slices are copied too.
func (m *Map) Clone() *Map {
	c := &Map{keys: append([]string(nil), m.keys...), vals: make([]any, len(m.vals))}
	for i, v := range m.vals {
		c.vals[i] = CloneValue(v)
	}
	if m.index != nil {
		c.index = make(map[string]int, len(m.index))
		for k, i := range m.index {
			c.index[k] = i
		}
	}
	return c
}

// CloneValue deep-copies an event value.
func CloneValue(v any) any {
	switch t := v.(type) {
	case *Map:
		return t.Clone()
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = CloneValue(e)
		}
		return c
	default:
		return v
	}
}
