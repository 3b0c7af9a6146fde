package pipeline

import (
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// keyValueTemplate is one add_field entry: a sprintf'd name and its
// sprintf'd values.
type keyValueTemplate struct {
	name *event.Template
	// ref is the parsed name when it has no placeholders, so the common
	// case does not look the reference up for every event.
	ref *event.FieldRef
	// badRef is why a constant name is not a field reference: like
	// Logstash, the pipeline still starts and setting it fails per event.
	badRef error
	values []*event.Template
}

// compileFields compiles add_field. Names that are not field references
// come back as warnings, not errors: Logstash finds them only when it sets
// them, per event.
func compileFields(m *event.Map) (fields []keyValueTemplate, warnings []error, err error) {
	var out []keyValueTemplate
	m.Range(func(k string, v any) bool {
		kv := keyValueTemplate{}
		if kv.name, err = event.CompileTemplate(k); err != nil {
			return false
		}
		if kv.name.IsConstant() {
			if ref, e := event.ParseFieldRef(k); e != nil {
				kv.badRef = e
				warnings = append(warnings, e)
			} else {
				kv.ref = &ref
			}
		}
		for _, item := range listOf(v) {
			// Values are rendered as text: in Logstash's Ruby decorators a
			// number configured in add_field becomes a string.
			t, e := event.CompileTemplate(event.ValueString(item))
			if e != nil {
				err = e
				return false
			}
			kv.values = append(kv.values, t)
		}
		out = append(out, kv)
		return true
	})
	return out, warnings, err
}

func compileTemplates(items []string) ([]*event.Template, error) {
	out := make([]*event.Template, 0, len(items))
	for _, s := range items {
		t, err := event.CompileTemplate(s)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func listOf(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// addFields applies add_field: a new field gets the value (a list when
// several were configured); an existing one becomes a list with the new
// values appended.
func addFields(e *event.Event, fields []keyValueTemplate) error {
	for _, kv := range fields {
		var ref event.FieldRef
		if kv.badRef != nil {
			return kv.badRef
		}
		if kv.ref != nil {
			ref = *kv.ref
		} else {
			var err error
			if ref, err = event.ParseFieldRef(kv.name.Render(e)); err != nil {
				return err
			}
		}
		vals := make([]any, len(kv.values))
		for i, t := range kv.values {
			vals[i] = t.Render(e)
		}
		old, exists := e.GetRef(ref)
		var v any
		switch {
		case exists:
			v = append(append([]any(nil), listOf(old)...), vals...)
		case len(vals) == 1:
			v = vals[0]
		default:
			v = vals
		}
		if err := e.SetRef(ref, v); err != nil {
			return err
		}
	}
	return nil
}

// inputDecorator applies an input's common options in Logstash's order:
// type (only when the event has none), add_field, tags.
type inputDecorator struct {
	typ      string
	hasType  bool
	addField []keyValueTemplate
	tags     []*event.Template
}

func newInputDecorator(s *plugin.Settings) (*inputDecorator, error) {
	d := &inputDecorator{typ: plugin.InputType.Get(s), hasType: plugin.InputType.IsSet(s)}
	var err error
	var warnings []error
	if d.addField, warnings, err = compileFields(plugin.InputAddField.Get(s)); err != nil {
		return nil, plugin.InputAddField.Errorf(s, "%v", err)
	}
	if len(warnings) > 0 {
		// An input's bad add_field name stays a config error: there is
		// no filter to tag the event, and every event would fail.
		return nil, plugin.InputAddField.Errorf(s, "%v", warnings[0])
	}
	if d.tags, err = compileTemplates(plugin.InputTags.Get(s)); err != nil {
		return nil, plugin.InputTags.Errorf(s, "%v", err)
	}
	return d, nil
}

func (d *inputDecorator) empty() bool {
	return !d.hasType && len(d.addField) == 0 && len(d.tags) == 0
}

func (d *inputDecorator) decorate(e *event.Event) error {
	if d.hasType && !e.Data().Has("type") {
		e.Data().Set("type", d.typ)
	}
	if err := addFields(e, d.addField); err != nil {
		return err
	}
	for _, t := range d.tags {
		e.AppendTag(t.Render(e))
	}
	return nil
}

// filterCommon applies a filter's common options after it matched, in
// Logstash's order: add_field, remove_field, add_tag, remove_tag.
type filterCommon struct {
	addField    []keyValueTemplate
	removeField []*event.Template
	addTag      []*event.Template
	removeTag   []*event.Template
}

// newFilterCommon compiles a filter's common options; warnings are the
// add_field names that will fail on every event (see compileFields).
func newFilterCommon(s *plugin.Settings) (c *filterCommon, warnings []error, err error) {
	c = &filterCommon{}
	if c.addField, warnings, err = compileFields(plugin.FilterAddField.Get(s)); err != nil {
		return nil, nil, plugin.FilterAddField.Errorf(s, "%v", err)
	}
	if c.removeField, err = compileTemplates(plugin.FilterRemoveField.Get(s)); err != nil {
		return nil, nil, plugin.FilterRemoveField.Errorf(s, "%v", err)
	}
	if c.addTag, err = compileTemplates(plugin.FilterAddTag.Get(s)); err != nil {
		return nil, nil, plugin.FilterAddTag.Errorf(s, "%v", err)
	}
	if c.removeTag, err = compileTemplates(plugin.FilterRemoveTag.Get(s)); err != nil {
		return nil, nil, plugin.FilterRemoveTag.Errorf(s, "%v", err)
	}
	return c, warnings, nil
}

func (c *filterCommon) empty() bool {
	return len(c.addField) == 0 && len(c.removeField) == 0 && len(c.addTag) == 0 && len(c.removeTag) == 0
}

func (c *filterCommon) apply(e *event.Event) error {
	if err := addFields(e, c.addField); err != nil {
		return err
	}
	for _, t := range c.removeField {
		e.Remove(t.Render(e))
	}
	for _, t := range c.addTag {
		e.AppendTag(t.Render(e))
	}
	if len(c.removeTag) > 0 {
		v, ok := e.Data().Get(event.TagsField)
		if !ok {
			return nil
		}
		var kept []any
		for _, tag := range listOf(v) {
			drop := false
			for _, t := range c.removeTag {
				if tag == t.Render(e) {
					drop = true
					break
				}
			}
			if !drop {
				kept = append(kept, tag)
			}
		}
		if kept == nil {
			kept = []any{}
		}
		e.Data().Set(event.TagsField, kept)
	}
	return nil
}
