package plugin

import (
	"fmt"
	"sort"
	"sync"

	"github.com/gostash/gostash/runtime/event"
)

// Spec is what every plugin declares: its name, a one-line summary, its
// options (typed handles, see Opt) and examples. The options every plugin
// of a kind shares (id, codec, add_field, ...) are added by the registry
// and need not be declared.
type Spec struct {
	Name    string
	Summary string
	Options []Declared
	// Examples show the plugin at work in the generated README, and run as
	// golden tests: each is a whole pipeline config fed Input on stdin
	// that must print exactly Output.
	Examples []Example
}

// Example is a small pipeline showing a plugin at work.
type Example struct {
	Title  string
	Config string
	Input  string
	Output string
	// Requires names the programs the example needs on PATH (the ruby
	// filter needs ruby); without them its golden test is skipped.
	Requires []string
}

// InputSpec declares an input plugin.
type InputSpec struct {
	Spec
	// DefaultCodec is the codec when none is configured ("plain" if empty).
	DefaultCodec string
	// NotReloadable inputs (Logstash's reloadable? false, such as stdin)
	// make a pipeline that holds one refuse to reload.
	NotReloadable bool
	// Acknowledges says the input tells its source when events are done
	// (it attaches event.Acks): its source can resend what was not.
	Acknowledges bool
	// FedByPipelines says the input's events come only from other
	// pipelines of the process (the pipeline input): a pipeline whose
	// inputs all are such has nothing left to do once no other pipeline
	// that could send to it runs.
	FedByPipelines bool
	New            func(s *Settings) (Input, error)
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
	// StreamingVariant is the codec that replaces this one on inputs that
	// read a byte stream (Logstash's fix_streaming_codecs: plain becomes
	// line, json becomes json_lines), keeping the options both have.
	StreamingVariant string
	New              func(s *Settings) (Codec, error)
}

// registered is a plugin as the registry keeps it: its spec with the
// kind's common options added, and a constructor returning any.
type registered struct {
	kind         Kind
	spec         Spec
	options      []*Option
	byName       map[string]*Option
	defaultCodec string
	caps         capabilities
	build        func(s *Settings) (any, error)
}

// capabilities are the facts about a plugin the core acts on.
type capabilities struct {
	notReloadable    bool
	acknowledges     bool
	fedByPipelines   bool
	streamingVariant string
}

var (
	registryMu sync.RWMutex
	registry   = map[Kind]map[string]*registered{}
)

func register(kind Kind, spec Spec, defaultCodec string, caps capabilities, build func(*Settings) (any, error)) {
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
	r := &registered{kind: kind, spec: spec, defaultCodec: defaultCodec, caps: caps, build: build, byName: map[string]*Option{}}
	own := make([]*Option, len(spec.Options))
	for i, d := range spec.Options {
		own[i] = d.Declaration()
	}
	for _, o := range append(commonOptions(kind, defaultCodec), own...) {
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
		r.byName[o.Name] = o
	}
	registry[kind][spec.Name] = r
}

// RegisterInput adds an input plugin; it panics on a duplicate name.
func RegisterInput(spec InputSpec) {
	register(KindInput, spec.Spec, spec.DefaultCodec, capabilities{notReloadable: spec.NotReloadable, acknowledges: spec.Acknowledges, fedByPipelines: spec.FedByPipelines}, func(s *Settings) (any, error) { return spec.New(s) })
}

// RegisterFilter adds a filter plugin.
func RegisterFilter(spec FilterSpec) {
	register(KindFilter, spec.Spec, "", capabilities{}, func(s *Settings) (any, error) { return spec.New(s) })
}

// RegisterOutput adds an output plugin.
func RegisterOutput(spec OutputSpec) {
	register(KindOutput, spec.Spec, spec.DefaultCodec, capabilities{}, func(s *Settings) (any, error) { return spec.New(s) })
}

// RegisterCodec adds a codec plugin.
func RegisterCodec(spec CodecSpec) {
	register(KindCodec, spec.Spec, "", capabilities{streamingVariant: spec.StreamingVariant}, func(s *Settings) (any, error) { return spec.New(s) })
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
	Options  []Option
	Examples []Example
	// NotReloadable, Acknowledges and StreamingVariant are the plugin's
	// declared capabilities (see InputSpec and CodecSpec).
	NotReloadable    bool
	Acknowledges     bool
	StreamingVariant string
}

// Plugins lists the registered plugins of a kind, sorted by name.
func Plugins(kind Kind) []PluginDoc {
	registryMu.RLock()
	defer registryMu.RUnlock()
	var docs []PluginDoc
	for _, r := range registry[kind] {
		var opts, shared []Option
		for _, o := range r.options {
			if o.common {
				shared = append(shared, *o)
			} else {
				opts = append(opts, *o)
			}
		}
		docs = append(docs, PluginDoc{Kind: kind, Name: r.spec.Name, Summary: r.spec.Summary, Options: append(opts, shared...),
			Examples: r.spec.Examples, NotReloadable: r.caps.notReloadable, Acknowledges: r.caps.acknowledges,
			StreamingVariant: r.caps.streamingVariant})
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Name < docs[j].Name })
	return docs
}

// The options every plugin of a kind has, as shared handles: the pipeline
// reads an instance's common options through them.
var (
	ID           = commonOpt(String("id").Doc("A unique name for this plugin instance, shown in logs and the monitoring API."))
	EnableMetric = commonOpt(Bool("enable_metric").Default(true).Doc("Whether this plugin records metrics."))

	InputType     = commonOpt(String("type").Doc("Sets the type field of each event that has none."))
	InputTags     = commonOpt(Strings("tags").Doc("Tags appended to each event (sprintf'd, not de-duplicated)."))
	InputAddField = commonOpt(Hash("add_field").Default(event.NewMap(0)).Doc("Fields added to each event; names and values are sprintf'd."))

	FilterAddField      = commonOpt(Hash("add_field").Default(event.NewMap(0)).Doc("Fields added when the filter succeeds; names and values are sprintf'd."))
	FilterRemoveField   = commonOpt(Strings("remove_field").Default([]string{}).Doc("Fields removed when the filter succeeds."))
	FilterAddTag        = commonOpt(Strings("add_tag").Default([]string{}).Doc("Tags appended when the filter succeeds."))
	FilterRemoveTag     = commonOpt(Strings("remove_tag").Default([]string{}).Doc("Tags removed when the filter succeeds."))
	FilterPeriodicFlush = commonOpt(Bool("periodic_flush").Default(false).Doc("Call the filter's flush method at regular intervals."))
	filterType          = commonOpt(String("type").Obsolete("You can achieve this same behavior with the new conditionals, like: `if [type] == \"sometype\" { %PLUGIN% { ... } }`."))
	filterTags          = commonOpt(Array("tags").Obsolete("You can achieve similar behavior with the new conditionals, like: `if \"sometag\" in [tags] { %PLUGIN% { ... } }`"))
	filterExcludeTags   = commonOpt(Array("exclude_tags").Obsolete("You can achieve similar behavior with the new conditionals, like: `if (\"sometag\" not in [tags]) { %PLUGIN% { ... } }`"))

	outputWorkers = commonOpt(Int("workers").Deprecated("The workers setting is ignored; outputs run in every pipeline worker.").Doc("Ignored."))

	// ECS is the ecs_compatibility option for plugins whose events change
	// with the ECS mode; such plugins list it in their Options and read the
	// effective mode with Settings.ECS.
	ECS = Enum("ecs_compatibility", "disabled", "v1", "v8").
		Doc("Overrides pipeline.ecs_compatibility for this plugin: disabled, v1 or v8.")
)

func commonOpt[T any](o Opt[T]) Opt[T] {
	o.decl.common = true
	return o
}

// commonOptions are the options every plugin of a kind has.
func commonOptions(kind Kind, defaultCodec string) []*Option {
	opts := []*Option{ID.decl, EnableMetric.decl}
	codec := func(doc string) *Option {
		return &Option{Name: "codec", Type: TypeCodec, Default: defaultCodec, Doc: doc, common: true}
	}
	switch kind {
	case KindInput:
		opts = append(opts, InputType.decl, InputTags.decl, InputAddField.decl, codec("The codec that decodes the input's data."))
	case KindFilter:
		opts = append(opts, FilterAddField.decl, FilterRemoveField.decl, FilterAddTag.decl, FilterRemoveTag.decl,
			FilterPeriodicFlush.decl, filterType.decl, filterTags.decl, filterExcludeTags.decl)
	case KindOutput:
		opts = append(opts, codec("The codec that encodes events for this output."), outputWorkers.decl)
	}
	return opts
}
