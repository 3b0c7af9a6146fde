package plugin

import (
	"fmt"
	"sort"
	"sync"

	"github.com/gostash/gostash/runtime/event"
)

// Spec is what every plugin declares: its name, a one-line summary and its
// options. The options every plugin of a kind shares (id, codec, add_field,
// ...) are added by the registry and need not be declared.
type Spec struct {
	Name    string
	Summary string
	Options []Option
}

// InputSpec declares an input plugin.
type InputSpec struct {
	Spec
	// DefaultCodec is the codec when none is configured ("plain" if empty).
	DefaultCodec string
	New          func(s *Settings) (Input, error)
}

// FilterSpec declares a filter plugin.
type FilterSpec struct {
	Spec
	New func(s *Settings) (Filter, error)
}

// OutputSpec declares an output plugin.
type OutputSpec struct {
	Spec
	DefaultCodec string
	New          func(s *Settings) (Output, error)
}

// CodecSpec declares a codec plugin.
type CodecSpec struct {
	Spec
	New func(s *Settings) (Codec, error)
}

// registered is a plugin as the registry keeps it: its spec with the
// kind's common options added, and a constructor returning any.
type registered struct {
	kind         Kind
	spec         Spec
	options      []Option
	byName       map[string]*Option
	defaultCodec string
	build        func(s *Settings) (any, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[Kind]map[string]*registered{}
)

func register(kind Kind, spec Spec, defaultCodec string, build func(*Settings) (any, error)) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if registry[kind] == nil {
		registry[kind] = map[string]*registered{}
	}
	if _, dup := registry[kind][spec.Name]; dup {
		panic(fmt.Sprintf("%s plugin %q registered twice", kind, spec.Name))
	}
	if defaultCodec == "" && (kind == KindInput || kind == KindOutput) {
		defaultCodec = "plain"
	}
	r := &registered{kind: kind, spec: spec, defaultCodec: defaultCodec, build: build, byName: map[string]*Option{}}
	for _, o := range append(commonOptions(kind, defaultCodec), spec.Options...) {
		if _, dup := r.byName[o.Name]; dup {
			// A plugin may redeclare a common option to change its default or doc.
			for i := range r.options {
				if r.options[i].Name == o.Name {
					r.options[i] = o
				}
			}
		} else {
			r.options = append(r.options, o)
		}
		r.byName[o.Name] = nil
	}
	for i := range r.options {
		r.byName[r.options[i].Name] = &r.options[i]
	}
	registry[kind][spec.Name] = r
}

// RegisterInput adds an input plugin; it panics on a duplicate name.
func RegisterInput(spec InputSpec) {
	register(KindInput, spec.Spec, spec.DefaultCodec, func(s *Settings) (any, error) { return spec.New(s) })
}

// RegisterFilter adds a filter plugin.
func RegisterFilter(spec FilterSpec) {
	register(KindFilter, spec.Spec, "", func(s *Settings) (any, error) { return spec.New(s) })
}

// RegisterOutput adds an output plugin.
func RegisterOutput(spec OutputSpec) {
	register(KindOutput, spec.Spec, spec.DefaultCodec, func(s *Settings) (any, error) { return spec.New(s) })
}

// RegisterCodec adds a codec plugin.
func RegisterCodec(spec CodecSpec) {
	register(KindCodec, spec.Spec, "", func(s *Settings) (any, error) { return spec.New(s) })
}

func lookup(kind Kind, name string) (*registered, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	r, ok := registry[kind][name]
	return r, ok
}

// PluginDoc describes a registered plugin for --help and the generated docs.
type PluginDoc struct {
	Kind    Kind
	Name    string
	Summary string
	// Options are the plugin's own options followed by the common ones.
	Options []Option
}

// Plugins lists the registered plugins of a kind, sorted by name.
func Plugins(kind Kind) []PluginDoc {
	registryMu.RLock()
	defer registryMu.RUnlock()
	var docs []PluginDoc
	for _, r := range registry[kind] {
		common := map[string]bool{}
		for _, o := range commonOptions(kind, r.defaultCodec) {
			common[o.Name] = true
		}
		own := map[string]bool{}
		for _, o := range r.spec.Options {
			own[o.Name] = true
		}
		var opts, shared []Option
		for _, o := range r.options {
			if common[o.Name] && !own[o.Name] {
				shared = append(shared, o)
			} else {
				opts = append(opts, o)
			}
		}
		docs = append(docs, PluginDoc{Kind: kind, Name: r.spec.Name, Summary: r.spec.Summary, Options: append(opts, shared...)})
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Name < docs[j].Name })
	return docs
}

// commonOptions are the options every plugin of a kind has.
func commonOptions(kind Kind, defaultCodec string) []Option {
	opts := []Option{
		{Name: "id", Type: TypeString, Doc: "A unique name for this plugin instance, shown in logs and the monitoring API."},
		{Name: "enable_metric", Type: TypeBoolean, Default: true, Doc: "Whether this plugin records metrics."},
	}
	switch kind {
	case KindInput:
		opts = append(opts,
			Option{Name: "type", Type: TypeString, Doc: "Sets the type field of each event that has none."},
			Option{Name: "tags", Type: TypeArray, Doc: "Tags appended to each event (sprintf'd, not de-duplicated)."},
			Option{Name: "add_field", Type: TypeHash, Default: event.NewMap(0), Doc: "Fields added to each event; names and values are sprintf'd."},
			Option{Name: "codec", Type: TypeCodec, Default: defaultCodec, Doc: "The codec that decodes the input's data."},
		)
	case KindFilter:
		opts = append(opts,
			Option{Name: "add_field", Type: TypeHash, Default: event.NewMap(0), Doc: "Fields added when the filter succeeds; names and values are sprintf'd."},
			Option{Name: "remove_field", Type: TypeArray, Default: []any{}, Doc: "Fields removed when the filter succeeds."},
			Option{Name: "add_tag", Type: TypeArray, Default: []any{}, Doc: "Tags appended when the filter succeeds."},
			Option{Name: "remove_tag", Type: TypeArray, Default: []any{}, Doc: "Tags removed when the filter succeeds."},
			Option{Name: "periodic_flush", Type: TypeBoolean, Default: false, Doc: "Call the filter's flush method at regular intervals."},
			Option{Name: "type", Type: TypeString, Obsolete: "You can achieve this same behavior with the new conditionals, like: `if [type] == \"sometype\" { %PLUGIN% { ... } }`."},
			Option{Name: "tags", Type: TypeArray, Obsolete: "You can achieve similar behavior with the new conditionals, like: `if \"sometag\" in [tags] { %PLUGIN% { ... } }`"},
			Option{Name: "exclude_tags", Type: TypeArray, Obsolete: "You can achieve similar behavior with the new conditionals, like: `if (\"sometag\" not in [tags]) { %PLUGIN% { ... } }`"},
		)
	case KindOutput:
		opts = append(opts,
			Option{Name: "codec", Type: TypeCodec, Default: defaultCodec, Doc: "The codec that encodes events for this output."},
			Option{Name: "workers", Type: TypeNumber, Deprecated: "The workers setting is ignored; outputs run in every pipeline worker.", Doc: "Ignored."},
		)
	}
	return opts
}

// ECSOption is the ecs_compatibility option for plugins whose events change
// with the ECS mode; such plugins list it in their Options and read the
// effective mode with Settings.ECS.
var ECSOption = Option{Name: "ecs_compatibility", Type: TypeEnum, Enum: []string{"disabled", "v1", "v8"},
	Doc: "Overrides pipeline.ecs_compatibility for this plugin: disabled, v1 or v8."}
