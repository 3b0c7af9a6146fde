package plugin

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
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
	// Sources maps a file name to its text, to show offending lines in diagnostics.
	Sources map[string][]byte
	// Lookup resolves ${VAR}; nil means the environment.
	Lookup lang.LookupFunc
	// Logger is the root logger; plugins get children named after them.
	Logger *slog.Logger
}

// Settings are a plugin instance's validated options. Getters take an
// option name the plugin declared; asking for an undeclared name is a
// programming error and panics.
type Settings struct {
	reg   *registered
	ctx   *BuildContext
	pos   lang.Pos
	id    string
	vals  map[string]any
	set   map[string]bool
	where map[string]lang.Pos
	// valueAt is where each set option's value starts.
	valueAt map[string]lang.Pos
	codec   *codecFactory
}

// Kind is the plugin's kind.
func (s *Settings) Kind() Kind { return s.reg.kind }

// Name is the plugin's name.
func (s *Settings) Name() string { return s.reg.spec.Name }

// ID is the plugin's id: the configured one or a generated one.
func (s *Settings) ID() string { return s.id }

// Pos is where the plugin block starts.
func (s *Settings) Pos() lang.Pos { return s.pos }

// Pipeline returns the settings of the pipeline the plugin runs in.
func (s *Settings) Pipeline() PipelineSettings { return s.ctx.Pipeline }

// ECS returns the plugin's effective ECS compatibility mode: its own
// ecs_compatibility when set, else the pipeline's.
func (s *Settings) ECS() string {
	if s.set["ecs_compatibility"] {
		return event.ValueString(s.vals["ecs_compatibility"])
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

func (s *Settings) get(name string) any {
	if _, ok := s.reg.byName[name]; !ok {
		panic(fmt.Sprintf("%s plugin %q reads undeclared option %q", s.reg.kind, s.reg.spec.Name, name))
	}
	return s.vals[name]
}

// IsSet reports whether the config set the option explicitly.
func (s *Settings) IsSet(name string) bool {
	s.get(name)
	return s.set[name]
}

// Value returns the option's value as an event value (nil when unset with no default).
func (s *Settings) Value(name string) any { return s.get(name) }

// String returns a string option (a number set on a :string option is
// rendered as text).
func (s *Settings) String(name string) string {
	v := s.get(name)
	if v == nil {
		return ""
	}
	return event.ValueString(v)
}

// Int returns a number option as an integer (floats are truncated).
func (s *Settings) Int(name string) int64 {
	switch t := s.get(name).(type) {
	case int64:
		return t
	case float64:
		return int64(t)
	}
	return 0
}

// Float returns a number option as a float.
func (s *Settings) Float(name string) float64 {
	switch t := s.get(name).(type) {
	case int64:
		return float64(t)
	case float64:
		return t
	}
	return 0
}

// Bool returns a boolean option.
func (s *Settings) Bool(name string) bool {
	b, _ := s.get(name).(bool)
	return b
}

// List returns an array or list option.
func (s *Settings) List(name string) []any {
	v := s.get(name)
	if v == nil {
		return nil
	}
	return asList(v)
}

// Strings returns an array or list option with every item as a string.
func (s *Settings) Strings(name string) []string {
	l := s.List(name)
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = event.ValueString(v)
	}
	return out
}

// Hash returns a hash option (never nil).
func (s *Settings) Hash(name string) *event.Map {
	if m, ok := s.get(name).(*event.Map); ok {
		return m
	}
	return event.NewMap(0)
}

// OptionPos is where the option was set, or the plugin's position when unset.
func (s *Settings) OptionPos(name string) lang.Pos {
	if p, ok := s.where[name]; ok {
		return p
	}
	return s.pos
}

// ValuePos is where the option's value starts (a string's opening quote),
// or OptionPos when the option is unset. A plugin that finds an error
// inside a multi-line value (code in another language) counts lines from
// here.
func (s *Settings) ValuePos(name string) lang.Pos {
	if p, ok := s.valueAt[name]; ok {
		return p
	}
	return s.OptionPos(name)
}

// ErrorfAt returns a config error at pos, a place in the plugin's config
// such as a line inside an option's value, showing that line.
func (s *Settings) ErrorfAt(pos lang.Pos, format string, args ...any) error {
	d := lang.Errorf(pos, "%s %s plugin: %s", s.reg.spec.Name, s.reg.kind, fmt.Sprintf(format, args...))
	d.Source = s.ctx.Sources[d.Pos.File]
	return d
}

// Errorf returns a config error located at the option (or the plugin when
// the option is unset), for validation a plugin does in its constructor.
func (s *Settings) Errorf(option, format string, args ...any) error {
	d := lang.Errorf(s.OptionPos(option), "%s %s plugin: %s", s.reg.spec.Name, s.reg.kind, fmt.Sprintf(format, args...))
	d.Source = s.ctx.Sources[d.Pos.File]
	return d
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
	s := &Settings{reg: r, ctx: f.settings.ctx, pos: f.settings.pos, id: f.settings.id,
		vals: map[string]any{}, set: map[string]bool{}, where: map[string]lang.Pos{}}
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

func asDiagnostic(err error, s *Settings) *lang.Diagnostic {
	var d *lang.Diagnostic
	if errors.As(err, &d) {
		return d
	}
	d = lang.Errorf(s.pos, "%s %s plugin %q: %v", s.reg.spec.Name, s.reg.kind, s.id, err)
	d.Source = s.ctx.Sources[s.pos.File]
	return d
}

func configure(kind Kind, p *lang.Plugin, ctx *BuildContext) (*Settings, lang.Diagnostics) {
	var diags lang.Diagnostics
	errAt := func(pos lang.Pos, format string, args ...any) {
		d := lang.Errorf(pos, format, args...)
		d.Source = ctx.Sources[pos.File]
		diags = append(diags, d)
	}
	r, ok := lookup(kind, p.Name)
	if !ok {
		errAt(p.Pos, "Couldn't find any %s plugin named '%s'. Are you sure this is correct?%s", kind, p.Name, unsupportedHint(kind, p.Name))
		return nil, diags
	}
	s := &Settings{reg: r, ctx: ctx, pos: p.Pos, vals: map[string]any{}, set: map[string]bool{}, where: map[string]lang.Pos{}, valueAt: map[string]lang.Pos{}}

	// Gather attributes, merging repeats as Logstash does.
	raw := map[string]any{}
	var order []string
	for _, a := range p.Attributes {
		v, err := attrValue(a.Value, ctx)
		if err != nil {
			if d, ok := err.(*lang.Diagnostic); ok {
				d.Source = ctx.Sources[d.Pos.File]
				diags = append(diags, d)
			} else {
				errAt(a.Value.Position(), "%s", err)
			}
			continue
		}
		if old, seen := raw[a.Name]; seen {
			if a.Name == "codec" && (kind == KindInput || kind == KindOutput) {
				errAt(a.Pos, "The %s plugin %s at line %d has multiple `codec` declarations - this is not a valid configuration, only one top-level `codec` per %s plugin is supported.", kind, p.Name, p.Pos.Line, kind)
				continue
			}
			raw[a.Name] = mergeAttr(old, v)
			continue
		}
		raw[a.Name] = v
		order = append(order, a.Name)
		s.where[a.Name] = a.Pos
		s.valueAt[a.Name] = a.Value.Position()
	}

	for _, name := range order {
		o := r.byName[name]
		pos := s.where[name]
		if o == nil {
			errAt(pos, "Unknown setting '%s' for %s", name, p.Name)
			continue
		}
		if o.Obsolete != "" {
			errAt(pos, "The setting `%s` in plugin `%s` is obsolete and is no longer available. %s", name, p.Name, strings.ReplaceAll(o.Obsolete, "%PLUGIN%", p.Name))
			continue
		}
		if o.Deprecated != "" {
			d := lang.Warnf(pos, "The setting `%s` in plugin `%s` is deprecated: %s", name, p.Name, o.Deprecated)
			d.Source = ctx.Sources[pos.File]
			diags = append(diags, d)
		}
		v := raw[name]
		if o.Type == TypeCodec {
			f, cd := codecOption(v, pos, ctx)
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
		if err == nil && o.check != nil {
			err = o.check(c)
		}
		if err != nil {
			shown := describe(v, o.secret())
			errAt(pos, "Invalid setting for %s %s plugin: %s => %s: %s", p.Name, kind, name, shown, err)
			continue
		}
		s.vals[name] = c
		s.set[name] = true
	}

	for _, o := range r.options {
		if s.set[o.Name] {
			continue
		}
		if o.Required {
			errAt(p.Pos, "Missing a required setting for the %s %s plugin: %s => # SETTING MISSING", p.Name, kind, o.Name)
			continue
		}
		if o.Type == TypeCodec && o.Default != nil && s.codec == nil {
			f, cd := codecOption(o.Default, p.Pos, ctx)
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
	return s, diags
}

// unsupportedHint tells users of well-known Logstash plugins that gostash
// does not have them, instead of suggesting a typo.
func unsupportedHint(kind Kind, name string) string {
	return fmt.Sprintf(" gostash has no %s plugin '%s' (`gostash plugins` lists the ones it has).", kind, name)
}

func generatedID(p *lang.Plugin) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s:%d:%d:%s", p.Pos.File, p.Pos.Line, p.Pos.Column, p.Name)))
	return hex.EncodeToString(h[:])[:16]
}

func codecOption(v any, pos lang.Pos, ctx *BuildContext) (*codecFactory, lang.Diagnostics) {
	var p *lang.Plugin
	switch t := v.(type) {
	case *CodecRef:
		if t.Plugin != nil {
			p = t.Plugin
		} else {
			p = &lang.Plugin{Pos: t.Pos, Name: t.Name}
		}
	case string:
		p = &lang.Plugin{Pos: pos, Name: t}
	default:
		d := lang.Errorf(pos, "Invalid codec %s: a codec is a name or a codec block", rubyInspect(v))
		d.Source = ctx.Sources[pos.File]
		return nil, lang.Diagnostics{d}
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
			return nil, lang.Errorf(t.Pos, "%v", err)
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
			return nil, lang.Errorf(t.Pos, "Duplicate keys found in your configuration: [%s]", strings.Join(dups, ", "))
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
