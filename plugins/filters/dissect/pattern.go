package dissect

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/gostash/gostash/runtime/event"
)

// fieldKind is what a %{...} field does with the text it captures.
type fieldKind uint8

const (
	skipField     fieldKind = iota // %{}, %{?name}: captured, not stored
	normalField                    // %{name}
	appendField                    // %{+name}, %{+name/N}
	indirectField                  // %{&name}
)

// Store order of the kinds (Logstash's field ordinals): normal fields, then
// appends by their /N order, then indirect fields.
const (
	ordinalNormal   = 1
	ordinalAppend   = 100
	ordinalIndirect = 1000
)

// delimiter is the text between two fields. One delimiter is shared by the
// field it ends and the field it starts; greedy (the `->` suffix of the
// field it ends) makes the next field skip repeats of it.
type delimiter struct {
	text   []byte
	greedy bool
}

// indexFrom is the first occurrence of the delimiter at or after offset,
// or -1; an empty delimiter is never found.
func (d *delimiter) indexFrom(src []byte, offset int) int {
	if len(d.text) == 0 || offset >= len(src) {
		return -1
	}
	if offset < 0 {
		offset = 0
	}
	i := bytes.Index(src[offset:], d.text)
	if i < 0 {
		return -1
	}
	return offset + i
}

type field struct {
	id      int
	kind    fieldKind
	name    string
	ordinal int
	prev    *delimiter // never nil: the first field's is the leading text, maybe empty
	next    *delimiter // nil for the last field
	// ref is name as a field reference; refErr is why it is not one (the
	// write then fails at event time, as Logstash's does).
	ref    event.FieldRef
	refErr error
}

// dissector is one compiled mapping pattern.
type dissector struct {
	pattern string
	fields  []*field
	// saveable are the fields that store something, in store order.
	saveable         []*field
	leadingDelimiter int
}

var (
	delimiterFieldRE = regexp.MustCompile(`(?s)(.*?)%\{([^}]*?)}`)
	finalDelimiterRE = regexp.MustCompile(`[^}]+$`)
	suffixOnlyRE     = regexp.MustCompile(`^(?:/\d{1,2}|->|/\d{1,2}->|->/\d{1,2})?$`)
	nameSuffixRE     = regexp.MustCompile(`^(.+?)(/\d{1,2}|->|/\d{1,2}->|->/\d{1,2})?$`)
	ordinalRE        = regexp.MustCompile(`\d+`)
)

// autoSkipName names the invisible skip field that follows trailing text.
const autoSkipName = "?auto_added_skip"

var errEmptyPattern = errors.New("The mapping string cannot be empty")

// compile builds a dissector. Its errors are Logstash's FieldFormatError texts.
func compile(pattern string) (*dissector, error) {
	if pattern == "" {
		return nil, errEmptyPattern
	}
	d := &dissector{pattern: pattern}
	type holder struct {
		name       string
		prev, next *delimiter
	}
	var holders []*holder
	for _, m := range delimiterFieldRE.FindAllStringSubmatch(pattern, -1) {
		delim := &delimiter{text: []byte(m[1])}
		if len(holders) == 0 {
			d.leadingDelimiter = len(delim.text)
		} else {
			holders[len(holders)-1].next = delim
		}
		holders = append(holders, &holder{name: m[2], prev: delim})
	}
	if final := finalDelimiterRE.FindString(pattern); final != "" {
		if len(holders) == 0 {
			return nil, fmt.Errorf("the mapping %q has no %%{...} field", pattern)
		}
		delim := &delimiter{text: []byte(final)}
		holders[len(holders)-1].next = delim
		holders = append(holders, &holder{name: autoSkipName, prev: delim})
	}
	for i, h := range holders {
		f, err := newField(i, h.name, h.prev, h.next)
		if err != nil {
			return nil, err
		}
		d.fields = append(d.fields, f)
		if f.kind != skipField {
			d.saveable = append(d.saveable, f)
		}
	}
	slices.SortStableFunc(d.saveable, func(a, b *field) int { return a.ordinal - b.ordinal })
	return d, nil
}

func newField(id int, spec string, prev, next *delimiter) (*field, error) {
	f := &field{id: id, prev: prev, next: next}
	var suffix string
	switch {
	case spec == "" || spec[0] == '?':
		f.kind = skipField
		if spec != "" {
			spec = spec[1:]
		}
		f.name, suffix = nameAndSuffix(spec)
	case len(spec) >= 2 && (spec[:2] == "+&" || spec[:2] == "&+"):
		return nil, fmt.Errorf("Field cannot prefix with both Append and Indirect Prefix (%s): %s", spec[:2], spec)
	case spec[0] == '+' || spec[0] == '&':
		f.kind, f.ordinal = appendField, ordinalAppend
		if spec[0] == '&' {
			f.kind, f.ordinal = indirectField, ordinalIndirect
		}
		spec = spec[1:]
		if spec == "" {
			return nil, errors.New("Field cannot be a prefix on its own without further text")
		}
		f.name, suffix = nameAndSuffix(spec)
		if f.name == "" {
			return nil, errors.New("Field cannot be a prefix and a suffix without a name section")
		}
		if f.kind == appendField {
			if n := ordinalRE.FindString(suffix); n != "" {
				o, _ := strconv.Atoi(n)
				f.ordinal += o
			}
		}
	default:
		f.kind, f.ordinal = normalField, ordinalNormal
		f.name, suffix = nameAndSuffix(spec)
	}
	if next != nil {
		next.greedy = bytes.Contains([]byte(suffix), []byte("->"))
	}
	if f.kind != skipField {
		f.ref, f.refErr = event.ParseFieldRef(f.name)
	}
	return f, nil
}

// nameAndSuffix splits "name/2->" into the name and its suffix.
func nameAndSuffix(s string) (string, string) {
	if suffixOnlyRE.MatchString(s) {
		return "", s
	}
	if m := nameSuffixRE.FindStringSubmatch(s); m != nil {
		return m[1], m[2]
	}
	return s, ""
}

// span is where a field's value lies in the source.
type span struct{ start, length int }

// match finds every field's span, left to right without backtracking: a
// field ends at the first occurrence of its next delimiter, the last field
// takes the rest. It follows Logstash's scanner quirk for a delimiter found
// at offset 0 (the field is empty and the scan does not advance).
func (d *dissector) match(src []byte, spans []span) bool {
	if len(d.fields) == 0 || len(src) == 0 {
		return false
	}
	var pos, left, start, length int
	// beyond moves past the delimiter before a field; false when a leading
	// delimiter is not at the very start.
	beyond := func(prev *delimiter) bool {
		switch {
		case prev.greedy:
			for {
				pos = prev.indexFrom(src, left)
				if pos != left {
					break
				}
				left = pos + len(prev.text)
			}
		case left == 0 && d.leadingDelimiter > 0:
			pos = prev.indexFrom(src, left)
			if pos != 0 {
				return false
			}
			left = pos + len(prev.text)
		}
		start = left
		return true
	}
	last := len(d.fields) - 1
	for _, f := range d.fields[:last] {
		if !beyond(f.prev) {
			return false
		}
		length = 0
		pos = f.next.indexFrom(src, left)
		if pos == -1 {
			return false
		}
		if pos > 0 {
			length = pos - left
			left = pos + len(f.next.text)
		}
		spans[f.id] = span{start, length}
	}
	f := d.fields[last]
	if !beyond(f.prev) {
		return false
	}
	spans[f.id] = span{start, len(src) - left}
	return true
}

func (d *dissector) value(src []byte, spans []span, id int) string {
	s := spans[id]
	return string(src[s.start : s.start+s.length])
}

// otherValue is the value of the first other field named name ("" if none):
// where an indirect field finds its key when the event has no such field.
func (d *dissector) otherValue(src []byte, spans []span, name string, not int) string {
	for _, f := range d.fields {
		if f.id != not && f.name == name {
			return d.value(src, spans, f.id)
		}
	}
	return ""
}

// store writes the matched values to the event in store order.
func (d *dissector) store(e *event.Event, src []byte, spans []span) error {
	for _, f := range d.saveable {
		if f.refErr != nil {
			return f.refErr
		}
		v := d.value(src, spans, f.id)
		switch f.kind {
		case normalField:
			if err := e.SetRef(f.ref, v); err != nil {
				return err
			}
		case appendField:
			if old, ok := e.GetRef(f.ref); ok {
				if old == nil {
					return fmt.Errorf("cannot append to the null value of %s", f.name)
				}
				join := " "
				if len(f.prev.text) > 0 {
					join = string(f.prev.text)
				}
				v = string(event.AppendJavaString(nil, old)) + join + v
			}
			if err := e.SetRef(f.ref, v); err != nil {
				return err
			}
		case indirectField:
			var key string
			if old, ok := e.GetRef(f.ref); ok {
				key = string(event.AppendJavaString(nil, old))
			} else {
				key = d.otherValue(src, spans, f.name, f.id)
			}
			if key == "" {
				continue
			}
			if err := e.Set(key, v); err != nil {
				return err
			}
		}
	}
	return nil
}
