// Package translate is Logstash's translate filter: it replaces a field's
// value with the value a dictionary (inline or a YAML, JSON or CSV file,
// reloaded on an interval) holds for it.
package translate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optSource          = plugin.FieldRef("source").Doc("The field whose value is looked up (the first element of a list). Required, unless the deprecated `field` is set.")
	optField           = plugin.String("field").Deprecated("Use `source` option instead.").Doc("The old name of `source`.")
	optTarget          = plugin.FieldRef("target").Doc("Where the translation goes: `translation` with ECS disabled, the source field itself (in place) in ECS mode.")
	optDestination     = plugin.String("destination").Deprecated("Use `target` option instead.").Doc("The old name of `target`.")
	optOverride        = plugin.Bool("override").Doc("Overwrite an existing target; true when source and target are the same field, false otherwise.")
	optDictionary      = plugin.Hash("dictionary").Default(event.NewMap(0)).Doc("Key → translation; exclusive with dictionary_path.")
	optDictionaryPath  = plugin.Path("dictionary_path").Doc("A .yml/.yaml, .json or .csv file of keys and translations (CSV: the first two columns).")
	optYAMLLimit       = plugin.Int("yaml_dictionary_code_point_limit").Doc("The largest YAML dictionary read, in code points (134217728 when unset); only for YAML files.")
	optYAMLStrategy    = plugin.Enum("yaml_load_strategy", "streaming", "one_shot").Default("one_shot").Doc("How a YAML dictionary is read; both give the same dictionary here.")
	optRefreshInterval = plugin.Float("refresh_interval").Default(300).Doc("Seconds between checks of dictionary_path (up to 300 s a file is reloaded only when its modification time changed); 0 or less never reloads.")
	optExact           = plugin.Bool("exact").Default(true).Doc("Translate the whole value (true) or replace every key found inside it (false).")
	optRegex           = plugin.Bool("regex").Default(false).Doc("With exact, the keys are regular expressions tried in dictionary order.")
	optFallback        = plugin.String("fallback").Doc("The value (sprintf'd) written when nothing matched.")
	optRefreshBehavior = plugin.Enum("refresh_behaviour", "merge", "replace").Default("merge").Doc("merge keeps keys removed from the file; replace starts from an empty dictionary.")
	optIterateOn       = plugin.String("iterate_on").Doc("A list field: when it is the source, each element is translated into a list at target; otherwise each element is an object whose source is translated into its target.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "translate",
			Summary: "Replaces field values by their translation in a dictionary.",
			Options: []plugin.Declared{optSource, optField, optTarget, optDestination, optOverride, optDictionary, optDictionaryPath,
				optYAMLLimit, optYAMLStrategy, optRefreshInterval, optExact, optRegex, optFallback, optRefreshBehavior, optIterateOn, plugin.ECS},
			Examples: []plugin.Example{{
				Title: "Name HTTP status codes",
				Config: `input { stdin { } }
filter {
  translate {
    source => "message"
    target => "status"
    dictionary => { "200" => "OK" "404" => "Not Found" }
    fallback => "unknown %{message}"
  }
  mutate { remove_field => ["event", "host", "@version"] }
}
output { stdout { codec => json_lines } }
`,
				Input: "404\n302\n",
				Output: `{"@timestamp":"2026-01-02T03:04:05.678Z","message":"404","status":"Not Found"}` + "\n" +
					`{"@timestamp":"2026-01-02T03:04:05.678Z","message":"302","status":"unknown 302"}` + "\n",
			}},
		},
		New: newTranslate,
	})
}

const defaultYAMLLimit = 134_217_728

// updateMode is how a matched value is written (the plugin's updaters).
type updateMode int

const (
	singleValue   updateMode = iota // no iterate_on
	arrayOfValues                   // iterate_on is the source
	arrayOfMaps                     // iterate_on is a list of objects
)

type translateFilter struct {
	log            *slog.Logger
	source, target string
	sourceRef      event.FieldRef
	targetRef      event.FieldRef
	override       bool
	inPlace        bool
	fallback       *event.Template
	how            strategy
	mode           updateMode
	iterateOn      event.FieldRef
	iterateOnText  string
	nestedSource   string
	nestedTarget   string

	dict atomic.Pointer[dictionary]

	// The file and its reloading; path is empty for an inline dictionary.
	path      string
	format    fileFormat
	yamlLimit int64
	replace   bool
	mtime     time.Time
	stop      context.CancelFunc
	done      sync.WaitGroup
}

func newTranslate(s *plugin.Settings) (plugin.Filter, error) {
	f := &translateFilter{log: s.Logger(), override: optOverride.Get(s)}
	switch {
	case optExact.Get(s) && optRegex.Get(s):
		f.how = exactRegex
	case optExact.Get(s):
		f.how = exactLookup
	default:
		f.how = substringReplace
	}
	if optDictionaryPath.IsSet(s) && optDictionary.Get(s).Len() > 0 {
		return nil, optDictionaryPath.Errorf(s, "The configuration options 'dictionary' and 'dictionary_path' are mutually exclusive")
	}
	if err := f.loadInitial(s); err != nil {
		return nil, err
	}

	f.source = optSource.Get(s)
	if optField.IsSet(s) {
		if optSource.IsSet(s) {
			return nil, optField.Errorf(s, "Please remove `field => %s` and only set the `source => ...` option instead", ruby.Inspect(optField.Get(s)))
		}
		f.source = optField.Get(s)
	}
	if !optSource.IsSet(s) && !optField.IsSet(s) {
		return nil, s.Errorf("No source field specified, please provide the `source => ...` option")
	}
	f.target = optTarget.Get(s)
	if optDestination.IsSet(s) {
		if optTarget.IsSet(s) {
			return nil, optDestination.Errorf(s, "Please remove `destination => %s` and only set the `target => ...` option instead", ruby.Inspect(optDestination.Get(s)))
		}
		f.target = optDestination.Get(s)
	}
	if !optTarget.IsSet(s) && !optDestination.IsSet(s) {
		f.target = "translation"
		if s.ECS() != "disabled" {
			f.target = f.source
		}
	}
	if f.source == f.target {
		f.inPlace = true
		if !optOverride.IsSet(s) {
			f.override = true
		} else if !f.override {
			return nil, optOverride.Errorf(s, "Configuring `override => false` with in-place translation has no effect, please remove the option")
		}
	}
	var err error
	if f.sourceRef, err = event.ParseFieldRef(f.source); err != nil {
		return nil, optField.Errorf(s, "%v", err)
	}
	if f.targetRef, err = event.ParseFieldRef(f.target); err != nil {
		return nil, optDestination.Errorf(s, "%v", err)
	}
	if optFallback.IsSet(s) {
		if f.fallback, err = event.CompileTemplate(optFallback.Get(s)); err != nil {
			return nil, optFallback.Errorf(s, "%v", err)
		}
	}
	if optIterateOn.IsSet(s) {
		f.iterateOnText = optIterateOn.Get(s)
		if f.iterateOnText == f.source {
			f.mode = arrayOfValues
		} else {
			f.mode = arrayOfMaps
			f.iterateOnText = referenceFormat(f.iterateOnText)
			f.nestedSource, f.nestedTarget = referenceFormat(f.source), referenceFormat(f.target)
		}
		if f.iterateOn, err = event.ParseFieldRef(f.iterateOnText); err != nil {
			return nil, optIterateOn.Errorf(s, "%v", err)
		}
	}
	if f.path != "" && optRefreshInterval.Get(s) > 0 {
		f.startReloading(time.Duration(optRefreshInterval.Get(s) * float64(time.Second)))
	}
	return f, nil
}

// referenceFormat wraps a bare name in brackets, as the plugin does for
// the fields of iterated objects.
func referenceFormat(field string) string {
	if len(field) > 1 && field[0] == '[' && field[len(field)-1] == ']' {
		return field
	}
	return "[" + field + "]"
}

// loadInitial builds the inline dictionary, or reads the file; a file that
// cannot be read fails the config.
func (f *translateFilter) loadInitial(s *plugin.Settings) error {
	if !optDictionaryPath.IsSet(s) {
		var entries []entry
		optDictionary.Get(s).Range(func(k string, v any) bool {
			entries = append(entries, stringEntry(k, v))
			return true
		})
		d, err := newDictionary(entries, f.how)
		if err != nil {
			return optDictionary.Errorf(s, "%v", err)
		}
		f.dict.Store(d)
		return nil
	}
	f.path = optDictionaryPath.Get(s)
	f.replace = optRefreshBehavior.Get(s) == "replace"
	var err error
	if f.format, err = formatOf(f.path); err != nil {
		return optDictionaryPath.Errorf(s, "%v", err)
	}
	f.yamlLimit = defaultYAMLLimit
	if optYAMLLimit.IsSet(s) {
		if f.format != formatYAML {
			return optYAMLLimit.Errorf(s, "Please remove `yaml_dictionary_code_point_limit` for dictionary file in JSON or CSV format")
		}
		if f.yamlLimit = optYAMLLimit.Get(s); f.yamlLimit <= 0 {
			return optYAMLLimit.Errorf(s, "Please set a positive number in `yaml_dictionary_code_point_limit => %d`.", f.yamlLimit)
		}
	}
	f.dict.Store(&dictionary{index: map[string]int{}})
	if err := f.load(); err != nil {
		return optDictionaryPath.Errorf(s, "Translate: %v when loading dictionary file at %s", err, f.path)
	}
	return nil
}

// load reads the file into a new snapshot, merged with the current one or
// replacing it.
func (f *translateFilter) load() error {
	info, err := os.Stat(f.path)
	if err != nil {
		return err
	}
	entries, err := readFile(f.path, f.format, f.yamlLimit)
	if err != nil {
		return err
	}
	var d *dictionary
	if f.replace {
		d, err = newDictionary(entries, f.how)
	} else {
		d, err = f.dict.Load().merged(entries, f.how)
	}
	if err != nil {
		return err
	}
	f.mtime = info.ModTime()
	f.dict.Store(d)
	return nil
}

// startReloading checks the file every interval: up to 300 s only a file
// whose modification time changed is read again, past that always.
func (f *translateFilter) startReloading(interval time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	f.stop = cancel
	f.done.Add(1)
	go func() {
		defer f.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				f.reload(interval <= 300*time.Second)
			}
		}
	}()
}

func (f *translateFilter) reload(onlyIfChanged bool) {
	if onlyIfChanged {
		info, err := os.Stat(f.path)
		if err == nil && info.ModTime().Equal(f.mtime) {
			return
		}
	}
	err := f.load()
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist):
		f.log.Warn("dictionary file read failure, continuing with old dictionary", slog.String("path", f.path))
	default:
		f.log.Warn(fmt.Sprintf("Translate: %v when loading dictionary file at %s, continuing with old dictionary", err, f.path), slog.String("dictionary_path", f.path))
	}
}

// Close stops reloading.
func (f *translateFilter) Close() error {
	if f.stop != nil {
		f.stop()
		f.done.Wait()
	}
	return nil
}

// Filter translates; it matches when it wrote a translation or fallback,
// and always for an in-place translation of a present source.
func (f *translateFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	var (
		matched bool
		err     error
	)
	switch f.mode {
	case singleValue:
		if _, exists := e.GetRef(f.targetRef); exists && !f.override {
			return false
		}
		if _, ok := e.GetRef(f.sourceRef); !ok {
			return false
		}
		matched, err = f.updateSingle(e)
	case arrayOfValues:
		if _, exists := e.GetRef(f.targetRef); exists && !f.override {
			return false
		}
		if _, ok := e.GetRef(f.iterateOn); !ok {
			return false
		}
		matched, err = f.updateValues(e)
	case arrayOfMaps:
		if _, ok := e.GetRef(f.iterateOn); !ok {
			return false
		}
		matched, err = f.updateMaps(e)
	}
	if err != nil {
		f.log.Error("Something went wrong when attempting to translate from dictionary", slog.String("exception", err.Error()), slog.String("source", f.source), slog.String("event", ruby.Inspect(e.Data())))
		return false
	}
	return matched || f.inPlace
}

// lookupText is the value looked up: strings as they are, the first
// element's to_s for a list, to_s otherwise.
func lookupText(v any) string {
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			return ""
		}
		return ruby.ToS(l[0])
	}
	return ruby.ToS(v)
}

func (f *translateFilter) updateSingle(e *event.Event) (bool, error) {
	v, _ := e.GetRef(f.sourceRef)
	if out, ok := f.dict.Load().fetch(f.how, lookupText(v)); ok {
		return true, e.SetRef(f.targetRef, out)
	}
	if f.fallback != nil {
		return true, e.SetRef(f.targetRef, f.fallback.Render(e))
	}
	return false, nil
}

// rubyArray is Kernel#Array: a list as it is, nil empty, a hash its
// [key, value] pairs, anything else a one-element list.
func rubyArray(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case nil:
		return nil
	case *event.Map:
		out := make([]any, 0, t.Len())
		t.Range(func(k string, v any) bool {
			out = append(out, []any{k, v})
			return true
		})
		return out
	}
	return []any{v}
}

func truthy(v any) bool { return v != nil && v != false }

func (f *translateFilter) updateValues(e *event.Event) (bool, error) {
	v, _ := e.GetRef(f.iterateOn)
	source := rubyArray(v)
	out := make([]any, len(source))
	if f.fallback != nil {
		fb := f.fallback.Render(e)
		for i := range out {
			out[i] = fb
		}
	}
	d := f.dict.Load()
	for i, inner := range source {
		if t, ok := d.fetch(f.how, ruby.ToS(inner)); ok {
			out[i] = t
		}
	}
	if err := e.SetRef(f.targetRef, out); err != nil {
		return false, err
	}
	for _, x := range out {
		if truthy(x) {
			return true, nil
		}
	}
	return false, nil
}

func (f *translateFilter) updateMaps(e *event.Event) (bool, error) {
	v, _ := e.GetRef(f.iterateOn)
	n := len(rubyArray(v))
	d := f.dict.Load()
	matched := false
	for i := range n {
		prefix := fmt.Sprintf("%s[%d]", f.iterateOnText, i)
		inner, _ := e.Get(prefix + f.nestedSource)
		if inner == nil {
			continue
		}
		dest := prefix + f.nestedTarget
		if t, ok := d.fetch(f.how, ruby.ToS(inner)); ok {
			if err := e.Set(dest, t); err != nil {
				return matched, err
			}
			matched = true
		} else if f.fallback != nil {
			if err := e.Set(dest, f.fallback.Render(e)); err != nil {
				return matched, err
			}
			matched = true
		}
	}
	return matched, nil
}
