// Package de_dot is Logstash's de_dot filter: it renames fields whose
// names hold dots, replacing each dot with a separator or with nesting.
package de_dot

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optSeparator = plugin.String("separator").Default("_").Validate(func(s string) error {
		if strings.Contains(s, ".") {
			return errors.New("de_dot: separator cannot be or contain '.'")
		}
		return nil
	}).Doc("What each dot becomes.")
	optNested       = plugin.Bool("nested").Default(false).Doc("Turn dots into nesting (`a.b` becomes `[a][b]`) instead of the separator.")
	optRecursive    = plugin.Bool("recursive").Default(false).Doc("Also rename the keys of nested objects.")
	optFields       = plugin.Strings("fields").Doc("The fields (references) to rename; every top-level field when unset.")
	optTagOnFailure = plugin.String("tag_on_failure").Default("_de_dot_error").Doc("Tag added when a rename fails.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "de_dot",
			Summary: "Renames fields whose names contain dots.",
			Options: []plugin.Declared{optSeparator, optNested, optRecursive, optFields, optTagOnFailure},
		},
		New: newDeDot,
	})
}

type deDot struct {
	log          *slog.Logger
	separator    string
	recursive    bool
	fields       []string
	allFields    bool
	tagOnFailure string
}

func newDeDot(s *plugin.Settings) (plugin.Filter, error) {
	f := &deDot{
		log:          s.Logger(),
		separator:    optSeparator.Get(s),
		recursive:    optRecursive.Get(s),
		fields:       optFields.Get(s),
		allFields:    !optFields.IsSet(s),
		tagOnFailure: optTagOnFailure.Get(s),
	}
	if optNested.Get(s) {
		f.separator = "]["
	}
	return f, nil
}

// Filter renames the fields; any failure tags the event and skips the
// decorations.
func (f *deDot) Filter(e *event.Event, _ func(*event.Event)) bool {
	fields := f.fields
	if f.allFields {
		fields = append([]string(nil), e.Data().Keys()...)
	}
	for _, ref := range fields {
		if !e.Includes(ref) {
			continue
		}
		if strings.Contains(ref, ".") || f.recursive {
			if err := f.rename(e, ref); err != nil {
				f.log.Warn("Exception caught while applying de_dot filter", slog.String("exception", err.Error()))
				e.Tag(f.tagOnFailure)
				return false
			}
		}
	}
	return true
}

// rename follows the plugin's string handling of field references: the
// whole reference has its dots replaced, and the first path element that
// held a dot is removed.
func (f *deDot) rename(e *event.Event, ref string) error {
	if f.separator == "][" || f.recursive {
		if !strings.HasPrefix(ref, "[") {
			ref = "[" + ref
		}
		if !strings.HasSuffix(ref, "]") {
			ref += "]"
		}
	}
	if strings.Contains(ref, ".") {
		newRef := strings.ReplaceAll(ref, ".", f.separator)
		v, _ := e.Get(ref)
		if err := e.Set(newRef, event.CloneValue(v)); err != nil {
			return err
		}
		if _, err := event.ParseFieldRef(deleteRef(ref)); err != nil {
			return err
		}
		e.Remove(deleteRef(ref))
		ref = newRef
	}
	if f.recursive {
		v, _ := e.Get(ref)
		if m, ok := v.(*event.Map); ok {
			for _, k := range append([]string(nil), m.Keys()...) {
				if err := f.rename(e, ref+"["+k+"]"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// deleteRef is the reference of the first path element holding a dot.
func deleteRef(ref string) string {
	built := ""
	for _, part := range strings.Split(strings.ReplaceAll(ref, "[", ""), "]") {
		if part == "" {
			continue
		}
		if strings.Contains(part, ".") {
			return built + "[" + part + "]"
		}
		built += "[" + part + "]"
	}
	return built
}
