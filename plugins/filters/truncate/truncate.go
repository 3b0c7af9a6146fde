// Package truncate is Logstash's truncate filter: it cuts strings to a
// number of bytes without splitting a UTF-8 character.
package truncate

import (
	"unicode/utf8"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optFields      = plugin.StringList("fields").Doc("The fields (references) to truncate; every top-level field when unset. Lists truncate their strings; objects are truncated field by field when named as references (`[obj]`: a bare name of an object is one Logstash cannot descend into).")
	optLengthBytes = plugin.Int("length_bytes").Required().Doc("The most bytes a string keeps.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "truncate",
			Summary: "Truncates strings to a length in bytes.",
			Options: []plugin.Declared{optFields, optLengthBytes},
		},
		New: newTruncate,
	})
}

type truncateFilter struct {
	fields []string
	all    bool
	length int64
}

func newTruncate(s *plugin.Settings) (plugin.Filter, error) {
	return &truncateFilter{fields: optFields.Get(s), all: !optFields.IsSet(s), length: optLengthBytes.Get(s)}, nil
}

// trim is the plugin's trim: at most length bytes, shortened further while
// the last character is not valid UTF-8; a negative length gives nil.
func trim(v string, length int64) any {
	if int64(len(v)) <= length {
		return v
	}
	if length == 0 {
		return ""
	}
	if length < 0 {
		return nil
	}
	for n := length; n > 0; n-- {
		cut := v[:n]
		if r, size := utf8.DecodeLastRuneInString(cut); r != utf8.RuneError || size > 1 {
			return cut
		}
	}
	return ""
}

// Filter matches when some value changed.
func (f *truncateFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	fields := f.fields
	if f.all {
		keys := e.Data().Keys()
		fields = make([]string, len(keys))
		for i, k := range keys {
			fields[i] = "[" + k + "]"
		}
	}
	changed := false
	for _, field := range fields {
		if f.truncate(e, field) {
			changed = true
		}
	}
	return changed
}

func (f *truncateFilter) truncate(e *event.Event, field string) bool {
	v, _ := e.Get(field)
	switch t := v.(type) {
	case string:
		out := trim(t, f.length)
		if out == t {
			return false
		}
		return e.Set(field, out) == nil
	case []any:
		changed := false
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = x
			if s, ok := x.(string); ok {
				if out[i] = trim(s, f.length); out[i] != s {
					changed = true
				}
			}
		}
		if changed {
			e.Set(field, out)
		}
		return changed
	case *event.Map:
		changed := false
		for _, k := range append([]string(nil), t.Keys()...) {
			if f.truncate(e, field+"["+k+"]") {
				changed = true
			}
		}
		return changed
	}
	return false
}
