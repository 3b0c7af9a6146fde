package plugin

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/pipelinebus"
)

// CodecRef is a codec option's value before the codec is built: a name
// (`codec => json`) or a block (`codec => json { charset => "UTF-8" }`).
type CodecRef struct {
	Name   string
	Plugin *lang.Plugin // nil when given by name
	Pos    lang.Pos
}

// BuildContext is what building plugins needs besides their own config.
type BuildContext struct {
	Pipeline PipelineSettings
	// Sources maps a file name to its text: the file map diagnostics are
	// rendered from. Building masks password values in it, in place, so
	// that no rendering shows them.
	Sources map[string][]byte
	// Lookup resolves ${VAR}; nil means the environment.
	Lookup lang.LookupFunc
	// Logger is the root logger; plugins get children named after them.
	Logger *slog.Logger
	// DeadLetters is the pipeline's dead letter queue; nil when it is off.
	DeadLetters DeadLetterQueue
	// Bus connects the pipelines of the process (the pipeline input and
	// output); nil where there is none, as in plugin unit tests.
	Bus *pipelinebus.Bus

	// shared holds what the plugins of one build share (see
	// Settings.PipelineShared); made on first use.
	shared *sharedValues
}

type sharedValues struct {
	mu     sync.Mutex
	values map[string]any
}

// sharedInit guards making a build context's shared values.
var sharedInit sync.Mutex

// Settings are a plugin instance's validated options. Getters take an
// option name the plugin declared; asking for an undeclared name is a
// programming error and panics.
type Settings struct {
	reg *registered
	ctx *BuildContext
	// name is the plugin's name in the config, what problems with the
	// plugin as a whole point at.
	name lang.Range
	id   string
	vals map[string]any
	set  map[string]bool
	// where holds the attribute that set each option.
	where map[string]*lang.Attribute
	codec *codecFactory
}

// Kind is the plugin's kind.
func (s *Settings) Kind() Kind { return s.reg.kind }

// Name is the plugin's name.
func (s *Settings) Name() string { return s.reg.spec.Name }

// ID is the plugin's id: the configured one or a generated one.
func (s *Settings) ID() string { return s.id }

// Pos is where the plugin block starts.
func (s *Settings) Pos() lang.Pos { return s.name.Start }

// PipelineShared returns the value the plugins built for the same pipeline
// share under key, making it with create on first use: state that spans
// plugin instances, as Logstash's aggregate filters of one pipeline share
// their maps. A pipeline built anew (a reload) gets fresh values.
func (s *Settings) PipelineShared(key string, create func() any) any {
	sharedInit.Lock()
	if s.ctx.shared == nil {
		s.ctx.shared = &sharedValues{values: map[string]any{}}
	}
	sv := s.ctx.shared
	sharedInit.Unlock()
	sv.mu.Lock()
	defer sv.mu.Unlock()
	v, ok := sv.values[key]
	if !ok {
		v = create()
		sv.values[key] = v
	}
	return v
}

// Pipeline returns the settings of the pipeline the plugin runs in.
func (s *Settings) Pipeline() PipelineSettings { return s.ctx.Pipeline }

// ECS returns the plugin's effective ECS compatibility mode: its own
// ecs_compatibility (the shared ECS handle) when set, else the pipeline's.
func (s *Settings) ECS() string {
	if s.set[ECS.Name()] {
		return ECS.Get(s)
	}
	return s.ctx.Pipeline.ECSCompatibility
}

// Logger returns a logger named like Logstash's (logstash.inputs.twitter)
// carrying the plugin id.
func (s *Settings) Logger() *slog.Logger {
	l := s.ctx.Logger
	if l == nil {
		l = slog.Default()
	}
	kind := string(s.reg.kind) + "s"
	return l.With(slog.String(logging.LoggerKey, "logstash."+kind+"."+s.reg.spec.Name), slog.String(logging.PluginIDKey, s.id))
}

// value is a declared option's value. Reading an option the plugin did not
// list in its Spec is a programming error.
func (s *Settings) value(d *Option) any {
	if got := s.reg.byName[d.Name]; got != d && (got == nil || !d.common) {
		panic(fmt.Sprintf("%s plugin %q reads option %q, which its Spec does not list", s.reg.kind, s.reg.spec.Name, d.Name))
	}
	return s.vals[d.Name]
}

// optionPos is where the option was set, or the plugin's position when unset.
func (s *Settings) optionPos(name string) lang.Pos { return s.optionSpan(name).Start }

// optionSpan is the attribute that set the option, or the plugin's name
// when it is unset.
func (s *Settings) optionSpan(name string) lang.Range {
	if a, ok := s.where[name]; ok {
		return a.Span()
	}
	return s.name
}

// valuePos is where the option's value starts (a string's opening quote),
// or optionPos when the option is unset.
func (s *Settings) valuePos(name string) lang.Pos {
	if a, ok := s.where[name]; ok {
		return a.Value.Position()
	}
	return s.optionPos(name)
}

// ErrorfAt returns a config error at pos, a place in the plugin's config
// such as a line inside an option's value (see Opt.ValuePos).
func (s *Settings) ErrorfAt(pos lang.Pos, format string, args ...any) error {
	return lang.Errorf(pos, "%s %s plugin: %s", s.reg.spec.Name, s.reg.kind, fmt.Sprintf(format, args...))
}

// Errorf returns a config error located at the plugin, for what no one
// option is to blame for (Opt.Errorf locates at an option).
func (s *Settings) Errorf(format string, args ...any) error {
	return s.errorfAt("", format, args...)
}

// errorfAt returns a config error located at the option (or the plugin when
// the option is unset).
func (s *Settings) errorfAt(option, format string, args ...any) error {
	return lang.Errorf(s.optionSpan(option), "%s %s plugin: %s", s.reg.spec.Name, s.reg.kind, fmt.Sprintf(format, args...))
}

// NewCodec builds a fresh instance of the plugin's codec (each input stream
// needs its own decoding state).
func (s *Settings) NewCodec() Codec {
	if s.codec == nil {
		panic(fmt.Sprintf("%s plugin %q has no codec option", s.reg.kind, s.reg.spec.Name))
	}
	return s.codec.build()
}

// CodecName is the name of the configured codec.
func (s *Settings) CodecName() string {
	if s.codec == nil {
		return ""
	}
	return s.codec.settings.reg.spec.Name
}

// CodecOptionIsSet reports whether the config set an option of the
// plugin's codec (`codec => plain { format => "..." }`): a plugin that
// adapts a codec it was given with default options (the syslog output
// gives plain its message format) asks this.
func (s *Settings) CodecOptionIsSet(name string) bool {
	return s.codec != nil && s.codec.settings.set[name]
}

// NewStreamingCodec is NewCodec for inputs that read a byte stream: like
// Logstash's fix_streaming_codecs it swaps a codec for its declared
// streaming variant (plain for line, json for json_lines), keeping the
// options both have.
func (s *Settings) NewStreamingCodec() Codec {
	if s.codec != nil {
		if v := s.codec.settings.reg.caps.streamingVariant; v != "" {
			return s.codec.swap(v).build()
		}
	}
	return s.NewCodec()
}

// Reloadable reports whether the plugin allows its pipeline to reload.
func (s *Settings) Reloadable() bool { return !s.reg.caps.notReloadable }

// FedByPipelines reports whether the input's events come only from other
// pipelines of the process (InputSpec.FedByPipelines).
func (s *Settings) FedByPipelines() bool { return s.reg.caps.fedByPipelines }

// PipelineBus is the bus connecting the process's pipelines; nil outside
// a process that runs pipelines.
func (s *Settings) PipelineBus() *pipelinebus.Bus { return s.ctx.Bus }

type codecFactory struct {
	settings *Settings
}

func (f *codecFactory) build() Codec {
	c, err := f.settings.reg.build(f.settings)
	if err != nil {
		// Building was already tried once at config time and succeeded.
		panic(fmt.Sprintf("codec %q: %v", f.settings.reg.spec.Name, err))
	}
	return c.(Codec)
}

// swap returns a factory for another codec with the same explicitly set
// options where that codec has them.
func (f *codecFactory) swap(name string) *codecFactory {
	r, ok := lookup(KindCodec, name)
	if !ok {
		return f
	}
	s := &Settings{reg: r, ctx: f.settings.ctx, name: f.settings.name, id: f.settings.id,
		vals: map[string]any{}, set: map[string]bool{}, where: map[string]*lang.Attribute{}}
	for _, o := range r.options {
		s.vals[o.Name] = event.CloneValue(o.Default)
	}
	for k, v := range f.settings.vals {
		if f.settings.set[k] && r.byName[k] != nil {
			s.vals[k], s.set[k] = v, true
		}
	}
	return &codecFactory{settings: s}
}

// Instance is a configured plugin: its settings and the built plugin.
type Instance struct {
	Settings *Settings
	Plugin   any
}

// Build validates a plugin block against its declaration and builds it.
// Every problem comes back as a located diagnostic; warnings (deprecated
// options) are returned alongside a successful build.
func Build(kind Kind, p *lang.Plugin, ctx *BuildContext) (*Instance, lang.Diagnostics) {
	s, diags := configure(kind, p, ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	built, err := s.reg.build(s)
	if err != nil {
		return nil, append(diags, asDiagnostic(err, s))
	}
	return &Instance{Settings: s, Plugin: built}, diags
}

// asDiagnostic turns a plugin's build error into a located diagnostic,
// with the secrets of its settings masked: a plugin that quotes a value it
// refuses (an invalid URL, say) must not print the password in it.
func asDiagnostic(err error, s *Settings) *lang.Diagnostic {
	var d *lang.Diagnostic
	if !errors.As(err, &d) {
		d = lang.Errorf(s.name, "%s %s plugin %q: %v", s.reg.spec.Name, s.reg.kind, s.id, err)
	}
	return maskDiagnostic(d, s.reg, s.vals)
}

// maskDiagnostic is d with the secrets of vals masked in its text.
func maskDiagnostic(d *lang.Diagnostic, r *registered, vals map[string]any) *lang.Diagnostic {
	masked := *d
	masked.Summary, masked.Detail = maskSecrets(d.Summary, r, vals), maskSecrets(d.Detail, r, vals)
	return &masked
}

// minMaskedSecret is the shortest secret masked inside messages: shorter
// ones would mask ordinary text along with them.
const minMaskedSecret = 4

// maskSecrets replaces, in text, the values of the password options and
// the passwords inside uri and CarriesPasswords values.
func maskSecrets(text string, r *registered, vals map[string]any) string {
	for name, v := range vals {
		o := r.byName[name]
		if o == nil || !(o.secret() || o.carriesPasswords()) {
			continue
		}
		for _, item := range asList(v) {
			str, ok := item.(string)
			if !ok {
				continue
			}
			if o.secret() {
				if len(str) >= minMaskedSecret {
					text = strings.ReplaceAll(text, str, "<password>")
				}
				continue
			}
			for _, span := range passwordSpans(str) {
				if span[1]-span[0] >= minMaskedSecret {
					text = strings.ReplaceAll(text, str[span[0]:span[1]], "xxxxxx")
				}
			}
		}
	}
	return text
}

func configure(kind Kind, p *lang.Plugin, ctx *BuildContext) (*Settings, lang.Diagnostics) {
	var diags lang.Diagnostics
	errAt := func(at lang.Located, format string, args ...any) {
		diags = append(diags, lang.Errorf(at, format, args...))
	}
	r, ok := lookup(kind, p.Name)
	if !ok {
		errAt(p.NameSpan(), "Couldn't find any %s plugin named '%s'. Are you sure this is correct?%s", kind, p.Name, unknownPluginHint(kind, p.Name))
		return nil, diags
	}
	s := &Settings{reg: r, ctx: ctx, name: p.NameSpan(), vals: map[string]any{}, set: map[string]bool{}, where: map[string]*lang.Attribute{}}

	// Gather attributes, merging repeats as Logstash does.
	raw := map[string]any{}
	var order []string
	for _, a := range p.Attributes {
		v, err := attrValue(a.Value, ctx)
		if err != nil {
			if d, ok := err.(*lang.Diagnostic); ok {
				diags = append(diags, d)
			} else {
				errAt(a.Value, "%s", err)
			}
			continue
		}
		if old, seen := raw[a.Name]; seen {
			if a.Name == "codec" && (kind == KindInput || kind == KindOutput) {
				errAt(a, "The %s plugin %s at line %d has multiple `codec` declarations - this is not a valid configuration, only one top-level `codec` per %s plugin is supported.", kind, p.Name, p.Pos.Line, kind)
				continue
			}
			raw[a.Name] = mergeAttr(old, v)
			continue
		}
		raw[a.Name] = v
		order = append(order, a.Name)
		s.where[a.Name] = a
	}

	for _, name := range order {
		o := r.byName[name]
		attr := s.where[name]
		if o == nil {
			errAt(attr.NameSpan(), "Unknown setting '%s' for %s%s", name, p.Name, unknownOptionHint(r, name))
			continue
		}
		if o.secret() || o.carriesPasswords() {
			for _, a := range p.Attributes {
				if a.Name != name {
					continue
				}
				if o.secret() {
					redactSecret(ctx.Sources, a.Value)
				} else {
					redactPasswordsIn(ctx.Sources, a.Value)
				}
			}
		}
		if o.Obsolete != "" {
			errAt(attr.NameSpan(), "The setting `%s` in plugin `%s` is obsolete and is no longer available. %s", name, p.Name, strings.ReplaceAll(o.Obsolete, "%PLUGIN%", p.Name))
			continue
		}
		if o.Deprecated != "" {
			diags = append(diags, lang.Warnf(attr.NameSpan(), "The setting `%s` in plugin `%s` is deprecated: %s", name, p.Name, o.Deprecated))
		}
		if o.Ineffective != "" {
			diags = append(diags, lang.Warnf(attr.NameSpan(), "The setting `%s` in plugin `%s` has no effect: %s", name, p.Name, o.Ineffective))
		}
		v := raw[name]
		if o.Type == TypeCodec {
			f, cd := codecOption(v, attr.Span(), ctx)
			diags = append(diags, cd...)
			if f != nil {
				s.codec = f
				s.vals[name] = f.settings.reg.spec.Name
				s.set[name] = true
			}
			continue
		}
		c, err := o.coerce(v)
		if err == nil {
			err = o.checkRange(c)
		}
		if err != nil {
			shown := o.describe(v)
			errAt(attr, "Invalid setting for %s %s plugin: %s => %s: %s", p.Name, kind, name, shown, err)
			continue
		}
		if o.check != nil {
			// A declared check reads as the plugin's own register-time
			// error, as Logstash's plugins raise it.
			if err := o.check(c); err != nil {
				errAt(attr, "%s %s plugin: %v", p.Name, kind, err)
				continue
			}
		}
		s.vals[name] = c
		s.set[name] = true
	}

	for _, o := range r.options {
		if s.set[o.Name] {
			continue
		}
		if o.Required {
			errAt(p.NameSpan(), "Missing a required setting for the %s %s plugin: %s => # SETTING MISSING", p.Name, kind, o.Name)
			continue
		}
		if o.Type == TypeCodec && o.Default != nil && s.codec == nil {
			f, cd := codecOption(o.Default, p.NameSpan(), ctx)
			diags = append(diags, cd...)
			s.codec = f
		}
		s.vals[o.Name] = event.CloneValue(o.Default)
	}
	if id, ok := s.vals["id"]; ok && id != nil && s.set["id"] {
		s.id = event.ValueString(id)
	} else {
		s.id = generatedID(p)
	}
	// A declared check may quote the value it refuses.
	for i, d := range diags {
		diags[i] = maskDiagnostic(d, r, raw)
	}
	return s, diags
}

// redactSecret overwrites a password option's literal value in the config
// text diagnostics show (the shared file map, in place, so every
// diagnostic on that line shows it masked), leaving ${VAR} references,
// which name a secret without revealing it.
// redactPasswordsIn masks, in the config text, the passwords a URL-like
// string value carries (see passwordSpans). A value written with escapes
// is masked whole, as its text and value do not line up.
func redactPasswordsIn(sources map[string][]byte, v lang.Value) {
	switch t := v.(type) {
	case *lang.Array:
		for _, it := range t.Items {
			redactPasswordsIn(sources, it)
		}
	case *lang.String:
		spans := passwordSpans(t.Value)
		if len(spans) == 0 {
			return
		}
		src := sources[t.Pos.File]
		start := t.Pos.Offset + 1
		if t.Pos.Offset < 0 || start+len(t.Value) > len(src) || string(src[start:start+len(t.Value)]) != t.Value {
			redactSecret(sources, v)
			return
		}
		for _, s := range spans {
			for i := start + s[0]; i < start+s[1]; i++ {
				src[i] = '*'
			}
		}
	}
}

func redactSecret(sources map[string][]byte, v lang.Value) {
	switch t := v.(type) {
	case *lang.Array:
		for _, it := range t.Items {
			redactSecret(sources, it)
		}
	case *lang.String:
		src := sources[t.Pos.File]
		start := t.Pos.Offset
		if start < 0 || start >= len(src) || src[start] != t.Quote || strings.Contains(t.Value, "${") {
			return
		}
		for i := start + 1; i < len(src); i++ {
			switch src[i] {
			case '\\':
				src[i] = '*'
				if i+1 < len(src) && src[i+1] != '\n' {
					i++
					src[i] = '*'
				}
			case t.Quote:
				return
			case '\n':
				// A multi-line secret: keep the line structure.
			default:
				src[i] = '*'
			}
		}
	}
}

// unknownPluginHint suggests the plugin a misspelt name was probably meant
// to be; for any other name it says gostash has no such plugin.
func unknownPluginHint(kind Kind, name string) string {
	var names []string
	for _, d := range Plugins(kind) {
		names = append(names, d.Name)
	}
	if s := lang.Suggest(name, names); s != "" {
		return fmt.Sprintf(" Did you mean '%s'?", s)
	}
	return fmt.Sprintf(" gostash has no %s plugin '%s' (`gostash plugins` lists the ones it has).", kind, name)
}

// unknownOptionHint suggests the option a misspelt one was probably meant
// to be, or "".
func unknownOptionHint(r *registered, name string) string {
	names := make([]string, len(r.options))
	for i, o := range r.options {
		names[i] = o.Name
	}
	if s := lang.Suggest(name, names); s != "" {
		return fmt.Sprintf(". Did you mean '%s'?", s)
	}
	return ""
}

func generatedID(p *lang.Plugin) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s:%d:%d:%s", p.Pos.File, p.Pos.Line, p.Pos.Column, p.Name)))
	return hex.EncodeToString(h[:])[:16]
}

// codecOption builds the codec an option names. at is what names it (the
// attribute, or the plugin for a default codec): problems with a codec
// given by name point there.
func codecOption(v any, at lang.Range, ctx *BuildContext) (*codecFactory, lang.Diagnostics) {
	var p *lang.Plugin
	switch t := v.(type) {
	case *CodecRef:
		if t.Plugin != nil {
			p = t.Plugin
		} else {
			p = &lang.Plugin{Pos: t.Pos, NameEnd: t.Pos, End: t.Pos, Name: t.Name}
		}
	case string:
		p = &lang.Plugin{Pos: at.Start, NameEnd: at.End, End: at.End, Name: t}
	default:
		return nil, lang.Diagnostics{lang.Errorf(at, "Invalid codec %s: a codec is a name or a codec block", rubyInspect(v))}
	}
	s, diags := configure(KindCodec, p, ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	if _, err := s.reg.build(s); err != nil {
		return nil, append(diags, asDiagnostic(err, s))
	}
	return &codecFactory{settings: s}, diags
}

// mergeAttr merges a repeated attribute into the earlier value: hashes
// merge (a key in both collects both values), arrays append flattened one
// level, differing scalars become a list.
func mergeAttr(old, v any) any {
	if om, ok := old.(*event.Map); ok {
		if nm, ok := v.(*event.Map); ok {
			out := om.Clone()
			nm.Range(func(k string, val any) bool {
				if prev, ok := out.Get(k); ok {
					out.Set(k, append(asList(prev), asList(val)...))
				} else {
					out.Set(k, val)
				}
				return true
			})
			return out
		}
	}
	ol, oldIsList := old.([]any)
	if oldIsList {
		return append(append([]any(nil), ol...), asList(v)...)
	}
	if _, ok := v.([]any); ok {
		return append([]any{old}, v.([]any)...)
	}
	if equalValues(old, v) {
		return old
	}
	return []any{old, v}
}

func equalValues(a, b any) bool {
	switch x := a.(type) {
	case string, int64, float64, bool:
		return a == b
	case *CodecRef:
		y, ok := b.(*CodecRef)
		return ok && x.Name == y.Name && x.Plugin == nil && y.Plugin == nil
	}
	return false
}

// attrValue turns an AST value into an option value, expanding ${VAR}
// placeholders in strings.
func attrValue(v lang.Value, ctx *BuildContext) (any, error) {
	lookupVar := ctx.Lookup
	if lookupVar == nil {
		lookupVar = lang.EnvLookup
	}
	switch t := v.(type) {
	case *lang.String:
		out, replaced, err := lang.ExpandVars(t.Value, lookupVar)
		if err != nil {
			return nil, lang.Errorf(t, "%v", err)
		}
		if replaced {
			return refine(out), nil
		}
		return out, nil
	case *lang.Bareword:
		return t.Value, nil
	case *lang.Number:
		if t.IsFloat {
			return t.Float, nil
		}
		return t.Int, nil
	case *lang.Array:
		out := make([]any, 0, len(t.Items))
		for _, it := range t.Items {
			c, err := attrValue(it, ctx)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	case *lang.Hash:
		m := event.NewMap(len(t.Entries))
		seen := map[string]bool{}
		var dups []string
		for _, e := range t.Entries {
			rawKey := keyText(e.Key)
			if seen[rawKey] {
				dups = append(dups, rawKey)
			}
			seen[rawKey] = true
			k, err := attrValue(e.Key, ctx)
			if err != nil {
				return nil, err
			}
			val, err := attrValue(e.Value, ctx)
			if err != nil {
				return nil, err
			}
			m.Set(event.ValueString(k), val)
		}
		if len(dups) > 0 {
			return nil, lang.Errorf(t, "Duplicate keys found in your configuration: [%s]", strings.Join(dups, ", "))
		}
		return m, nil
	case *lang.Plugin:
		return &CodecRef{Name: t.Name, Plugin: t, Pos: t.Pos}, nil
	}
	return nil, fmt.Errorf("unsupported value %T", v)
}

// keyText is a hash key as written (quotes included), which is how
// Logstash detects duplicate keys.
func keyText(v lang.Value) string {
	switch t := v.(type) {
	case *lang.String:
		return string(t.Quote) + t.Value + string(t.Quote)
	case *lang.Bareword:
		return t.Value
	case *lang.Number:
		return t.Raw
	}
	return ""
}

// refine is Logstash's treatment of a string whose ${VAR} was replaced:
// surrounding quotes are stripped and "[a, b]" text becomes a list.
func refine(s string) any {
	t := strings.TrimSpace(s)
	if len(t) >= 2 && (t[0] == '"' && t[len(t)-1] == '"' || t[0] == '\'' && t[len(t)-1] == '\'') {
		return t[1 : len(t)-1]
	}
	if len(t) >= 2 && t[0] == '[' && t[len(t)-1] == ']' {
		var out []any
		for _, part := range strings.Split(t[1:len(t)-1], ",") {
			part = strings.TrimSpace(part)
			if len(part) >= 2 && (part[0] == '"' && part[len(part)-1] == '"' || part[0] == '\'' && part[len(part)-1] == '\'') {
				part = part[1 : len(part)-1]
			}
			out = append(out, part)
		}
		return out
	}
	return s
}
