// Package json is Logstash's json filter: it parses a field holding JSON
// text into the event root or a target field.
package json

import (
	"errors"
	"log/slog"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optSource            = plugin.String("source").Required().Doc("The field holding the JSON text.")
	optTarget            = plugin.FieldRef("target").Doc("Where to put the parsed value; without it an object's keys are written at the root.")
	optTagOnFailure      = plugin.Strings("tag_on_failure").Default([]string{"_jsonparsefailure"}).Doc("Tags added when the text cannot be parsed.")
	optSkipOnInvalidJSON = plugin.Bool("skip_on_invalid_json").Default(false).Doc("Leave events with invalid JSON untouched: no tag, no warning.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "json",
			Summary: "Parses JSON text held in a field.",
			Options: []plugin.Declared{optSource, optTarget, optTagOnFailure, optSkipOnInvalidJSON, plugin.ECS},

			Examples: examples,
		},
		New: newJSON,
	})
}

type jsonFilter struct {
	log          *slog.Logger
	source       string
	target       string
	hasTarget    bool
	tagOnFailure []string
	skipInvalid  bool
}

func newJSON(s *plugin.Settings) (plugin.Filter, error) {
	f := &jsonFilter{
		log:          s.Logger(),
		source:       optSource.Get(s),
		target:       optTarget.Get(s),
		hasTarget:    optTarget.IsSet(s),
		tagOnFailure: optTagOnFailure.Get(s),
		skipInvalid:  optSkipOnInvalidJSON.Get(s),
	}
	if !f.hasTarget && s.ECS() != "disabled" {
		f.log.Info("ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)")
	}
	return f, nil
}

var errNotText = errors.New("source is not a JSON string")

func (f *jsonFilter) tagFailure(e *event.Event) {
	for _, t := range f.tagOnFailure {
		e.Tag(t)
	}
}

// Filter parses the source field. A missing, null or false source is left
// alone without decorations.
func (f *jsonFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	src, _ := e.Get(f.source)
	if src == nil || src == false {
		return false
	}
	parsed, err := parse(src)
	if err != nil {
		if !f.skipInvalid {
			f.tagFailure(e)
			f.log.Warn("Error parsing json", slog.String("source", f.source), slog.String("raw", ruby.ToS(src)), slog.String("exception", err.Error()))
		}
		return false
	}
	matched, err := f.apply(e, src, parsed)
	if err != nil {
		f.log.Warn("Exception caught in json filter", slog.String("source", f.source), slog.String("raw", ruby.ToS(src)), slog.String("exception", err.Error()))
		f.tagFailure(e)
		return false
	}
	return matched
}

func parse(src any) (any, error) {
	text, ok := src.(string)
	if !ok {
		return nil, errNotText
	}
	return event.DecodeJSONDecimal([]byte(text))
}

// apply writes the parsed value and reports whether the filter matched.
func (f *jsonFilter) apply(e *event.Event, src, parsed any) (bool, error) {
	if f.hasTarget {
		return true, e.Set(f.target, parsed)
	}
	obj, ok := parsed.(*event.Map)
	if !ok {
		f.tagFailure(e)
		f.log.Warn("Parsed JSON object/hash requires a target configuration option", slog.String("source", f.source), slog.String("raw", ruby.ToS(src)))
		return false, nil
	}
	rawTS, _ := obj.Delete(event.TimestampField)
	var err error
	obj.Range(func(k string, v any) bool {
		err = e.Set(k, v)
		return err == nil
	})
	if err != nil {
		return false, err
	}
	if rawTS == nil || rawTS == false {
		return true, nil
	}
	if ts, ok := coerceTimestamp(rawTS); ok {
		e.SetTimestamp(ts)
		return true, nil
	}
	f.log.Warn("Unrecognized @timestamp value, setting current time to @timestamp, original in _@timestamp field", slog.String("value", ruby.Inspect(rawTS)))
	e.SetTimestamp(event.Now())
	e.Tag(event.TimestampParseFailureTag)
	return true, e.Set("_"+event.TimestampField, ruby.ToS(rawTS))
}

// coerceTimestamp is LogStash::Timestamp.coerce for decoded JSON values:
// only ISO8601 strings become timestamps.
func coerceTimestamp(v any) (event.Timestamp, bool) {
	if s, ok := v.(string); ok {
		return event.ParseTimestamp(s)
	}
	return event.Timestamp{}, false
}
