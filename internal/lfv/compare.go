package lfv

import (
	"math/big"
	"strconv"

	"github.com/gostash/gostash/runtime/event"
)

// Difference is one way an actual event differs from the expected one.
// Expected and Got are compact JSON, or "none" for a field that is absent.
type Difference struct {
	Event    int    // 1-based index of the event in the testcase's output
	Path     string // field reference such as [a][b], "" for the whole event
	Expected string
	Got      string
}

const absent = "none"

// standaloneReport is an event as LFV's standalone mode reports it: the
// data as Logstash's JSON output writes it (timestamps as text, no
// @metadata), with the exported @metadata (without LFV's own keys) and
// without an empty tags list.
func (r *Runner) standaloneReport(s *Suite, e *event.Event) *event.Map {
	m := normalize(e.Data()).(*event.Map)
	if s.ExportMetadata && e.HasMetadata() {
		if md := exportedMetadata(e.Metadata()); md.Len() > 0 {
			setDotted(m, r.opts.MetadataKey, md)
		}
	}
	if tags, ok := m.Get(event.TagsField); ok {
		if list, ok := tags.([]any); ok && len(list) == 0 {
			m.Delete(event.TagsField)
		}
	}
	return m
}

// trimAll applies trim to a testcase's actual events, each against the
// expected event it is compared with.
func (s *Suite) trimAll(c *Case, actual []*event.Map) []*event.Map {
	for i, m := range actual {
		var expected *node
		if i < len(c.Expected) {
			expected = c.Expected[i]
		}
		s.trim(m, expected)
	}
	return actual
}

// trim removes what LFV does not compare from an actual event: @version
// (always ignored) and the ignored fields. @timestamp only counts when the
// expected event has one: without a pinned clock it is the time of the
// run.
func (s *Suite) trim(m *event.Map, expected *node) {
	m.Delete(event.VersionField)
	for _, path := range s.Ignore {
		removePath(m, path)
	}
	if expected != nil && expected.get(event.TimestampField) == nil {
		m.Delete(event.TimestampField)
	}
}

// normalize deep-copies an event value with timestamps as their JSON text.
func normalize(v any) any {
	switch t := v.(type) {
	case event.Timestamp:
		return string(t.AppendTo(nil))
	case int:
		return int64(t)
	case *event.Map:
		m := event.NewMap(t.Len())
		t.Range(func(k string, v any) bool {
			m.Set(k, normalize(v))
			return true
		})
		return m
	case []any:
		list := make([]any, len(t))
		for i, it := range t {
			list[i] = normalize(it)
		}
		return list
	}
	return v
}

// removePath deletes a nested field; an object left empty by it goes too,
// as LFV's ignore does.
func removePath(m *event.Map, path []string) {
	if len(path) == 1 {
		m.Delete(path[0])
		return
	}
	child, ok := m.Get(path[0])
	if !ok {
		return
	}
	cm, ok := child.(*event.Map)
	if !ok {
		return
	}
	removePath(cm, path[1:])
	if cm.Len() == 0 {
		m.Delete(path[0])
	}
}

// compare appends the differences between an expected node and an actual
// value: objects key by key (key order does not matter), arrays element
// by element when their lengths agree, numbers by value (1 equals 1.0,
// since LFV compares both as JSON numbers), everything else exactly.
func compare(eventIndex int, path string, exp *node, act any, diffs *[]Difference) {
	differ := func() {
		*diffs = append(*diffs, Difference{Event: eventIndex, Path: path, Expected: exp.render(), Got: renderValue(act)})
	}
	switch exp.kind {
	case objectKind:
		m, ok := act.(*event.Map)
		if !ok {
			differ()
			return
		}
		for i, k := range exp.keys {
			sub := path + "[" + k.str + "]"
			if v, ok := m.Get(k.str); ok {
				compare(eventIndex, sub, exp.items[i], v, diffs)
			} else {
				*diffs = append(*diffs, Difference{Event: eventIndex, Path: sub, Expected: exp.items[i].render(), Got: absent})
			}
		}
		m.Range(func(k string, v any) bool {
			if exp.get(k) == nil {
				*diffs = append(*diffs, Difference{Event: eventIndex, Path: path + "[" + k + "]", Expected: absent, Got: renderValue(v)})
			}
			return true
		})
	case arrayKind:
		list, ok := act.([]any)
		if !ok || len(list) != len(exp.items) {
			differ()
			return
		}
		for i, it := range exp.items {
			compare(eventIndex, path+"["+strconv.Itoa(i)+"]", it, list[i], diffs)
		}
	case nullKind:
		if act != nil {
			differ()
		}
	case boolKind:
		if b, ok := act.(bool); !ok || b != exp.b {
			differ()
		}
	case stringKind:
		if s, ok := act.(string); !ok || s != exp.str {
			differ()
		}
	case numberKind:
		if !numbersEqual(exp.num, act) {
			differ()
		}
	}
}

func renderValue(v any) string {
	return string(event.AppendJSON(nil, v))
}

// numbersEqual compares integers exactly and anything involving a float as
// float64.
func numbersEqual(exp, act any) bool {
	ei, eInt := asBigInt(exp)
	ai, aInt := asBigInt(act)
	if eInt && aInt {
		return ei.Cmp(ai) == 0
	}
	ef, eok := asFloat(exp)
	af, aok := asFloat(act)
	return eok && aok && ef == af
}

func asBigInt(v any) (*big.Int, bool) {
	switch t := v.(type) {
	case int64:
		return big.NewInt(t), true
	case *big.Int:
		return t, true
	}
	return nil, false
}

func asFloat(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case *big.Int:
		f, _ := new(big.Float).SetInt(t).Float64()
		return f, true
	case float64:
		return t, true
	case event.Decimal:
		return t.Float64(), true
	}
	return 0, false
}
