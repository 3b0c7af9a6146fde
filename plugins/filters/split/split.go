// Package split is Logstash's split filter: it turns one event whose field
// holds several lines (or a list) into one event per line or element.
package split

import (
	"fmt"
	"log/slog"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// typeFailureTag marks events whose field is neither a string nor a list.
const typeFailureTag = "_split_type_failure"

var (
	optField      = plugin.String("field").Default("message").Doc("The field to split.")
	optTerminator = plugin.String("terminator").Default("\n").Doc("The string separating the parts of a string field.")
	optTarget     = plugin.String("target").Doc("Where each part goes; the split field itself when unset.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "split",
			Summary: "Splits a multi-line field or a list into one event per line or element.",
			Options: []plugin.Declared{optField, optTerminator, optTarget},
		},
		New: func(s *plugin.Settings) (plugin.Filter, error) {
			f := &split{log: s.Logger(), field: optField.Get(s), terminator: optTerminator.Get(s)}
			if optTarget.IsSet(s) {
				f.target = optTarget.Get(s)
			}
			return f, nil
		},
	})
}

type split struct {
	log        *slog.Logger
	field      string
	terminator string
	target     string
}

// Filter emits a copy of the event per non-empty part and cancels the
// original. A string without the terminator is left alone.
func (f *split) Filter(e *event.Event, emit func(*event.Event)) bool {
	original, _ := e.Get(f.field)
	var parts []any
	switch t := original.(type) {
	case []any:
		parts = t
		if f.target == "" {
			e.Remove(f.field)
		}
	case string:
		pieces := ruby.SplitAll(t, f.terminator)
		if len(pieces) == 1 {
			return false
		}
		parts = make([]any, len(pieces))
		for i, p := range pieces {
			parts[i] = p
		}
	default:
		f.log.Warn(fmt.Sprintf("Only String and Array types are splittable. field:%s is of type = %s", f.field, rubyClass(original)))
		e.Tag(typeFailureTag)
		return false
	}
	target := f.target
	if target == "" {
		target = f.field
	}
	for _, p := range parts {
		if p == nil || p == "" {
			continue
		}
		c := e.Clone()
		if err := c.Set(target, event.CloneValue(p)); err != nil {
			f.log.Warn("split could not set its target", slog.String("target", target), slog.String("exception", err.Error()))
			c.Release()
			continue
		}
		emit(c)
	}
	e.Cancel()
	return false
}

func rubyClass(v any) string {
	switch v.(type) {
	case nil:
		return "NilClass"
	case int64:
		return "Integer"
	case float64:
		return "Float"
	case event.Decimal:
		return "BigDecimal"
	case bool:
		if v == true {
			return "TrueClass"
		}
		return "FalseClass"
	case *event.Map:
		return "Hash"
	case event.Timestamp:
		return "LogStash::Timestamp"
	}
	return fmt.Sprintf("%T", v)
}
