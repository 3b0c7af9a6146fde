package plugin

import (
	"fmt"
	"math"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
)

// Declared is what a plugin lists in Spec.Options: a typed option handle.
type Declared interface {
	Declaration() *Option
}

// Handle is what every typed handle offers whatever its value type, for
// checks over several options of different types.
type Handle interface {
	Declared
	Name() string
	IsSet(s *Settings) bool
	Pos(s *Settings) lang.Pos
	Span(s *Settings) lang.Range
	Errorf(s *Settings, format string, args ...any) error
}

// Opt is a typed handle on one declared option. A plugin declares each of
// its options once, as a package-level Opt, lists it in its Spec and reads
// it back through the same handle: a misspelt option is a compile error,
// and the getter's type is the option's type.
//
// The builder methods (Default, Doc, Required, ...) fill in the declaration
// and return the handle, so a declaration reads as one expression.
type Opt[T any] struct {
	decl *Option
	// read turns the option's stored event value into T; nil becomes T's
	// zero value.
	read func(v any) T
	// store turns a T (a declared default) into an event value.
	store func(v T) any
}

func newOpt[T any](name string, typ OptionType, read func(any) T, store func(T) any) Opt[T] {
	return Opt[T]{decl: &Option{Name: name, Type: typ}, read: read, store: store}
}

// Declaration is the option as the registry, the validator and the docs
// see it.
func (o Opt[T]) Declaration() *Option { return o.decl }

// Name is the option's name as written in configs.
func (o Opt[T]) Name() string { return o.decl.Name }

// Get returns the option's value for a plugin instance: the configured
// value, else the declared default, else T's zero value.
func (o Opt[T]) Get(s *Settings) T { return o.read(s.value(o.decl)) }

// IsSet reports whether the config set the option explicitly.
func (o Opt[T]) IsSet(s *Settings) bool {
	s.value(o.decl)
	return s.set[o.decl.Name]
}

// Pos is where the option was set, or the plugin's position when unset.
func (o Opt[T]) Pos(s *Settings) lang.Pos { return s.optionPos(o.decl.Name) }

// ValuePos is where the option's value starts (a string's opening quote),
// or Pos when the option is unset: a plugin that finds an error inside a
// multi-line value (code in another language) counts lines from here.
func (o Opt[T]) ValuePos(s *Settings) lang.Pos { return s.valuePos(o.decl.Name) }

// Span is the attribute that set the option (name, arrow and value), or
// the plugin's name when the option is unset.
func (o Opt[T]) Span(s *Settings) lang.Range { return s.optionSpan(o.decl.Name) }

// Errorf returns a config error located at the option, for checks that
// need more than one option (a single option's checks belong in Validate).
func (o Opt[T]) Errorf(s *Settings, format string, args ...any) error {
	return s.errorfAt(o.decl.Name, format, args...)
}

// Default sets the value used when the config does not set the option.
func (o Opt[T]) Default(v T) Opt[T] {
	o.decl.Default = o.store(v)
	return o
}

// Doc sets the one or two sentences shown by `gostash plugins` and the docs.
func (o Opt[T]) Doc(text string) Opt[T] {
	o.decl.Doc = text
	return o
}

// Required makes leaving the option unset a config error.
func (o Opt[T]) Required() Opt[T] {
	o.decl.Required = true
	return o
}

// Deprecated makes using the option a located warning with this text.
func (o Opt[T]) Deprecated(text string) Opt[T] {
	o.decl.Deprecated = text
	return o
}

// Obsolete makes using the option a config error, worded as Logstash words
// it ("The setting `x` in plugin `y` is obsolete and is no longer
// available. <text>"); %PLUGIN% in text stands for the plugin's name.
func (o Opt[T]) Obsolete(text string) Opt[T] {
	o.decl.Obsolete = text
	return o
}

// CarriesPasswords marks a string option whose value may hold passwords
// in a URL (user:password@ or password=...), masked wherever the config is
// echoed or described.
func (o Opt[T]) CarriesPasswords() Opt[T] {
	o.decl.CarriesPasswords = true
	return o
}

// Ineffective marks an option that Logstash's plugin accepts and ignores:
// gostash accepts it too, and warns where it is set, with this text.
func (o Opt[T]) Ineffective(text string) Opt[T] {
	o.decl.Ineffective = text
	return o
}

// Example sets an example value shown in the docs, as config text.
func (o Opt[T]) Example(text string) Opt[T] {
	o.decl.Example = text
	return o
}

// Between bounds a numeric option (inclusive); a value outside is a config
// error at the option.
func (o Opt[T]) Between(lo, hi float64) Opt[T] {
	o.numeric()
	o.decl.Min, o.decl.Max = &lo, &hi
	return o
}

// AtLeast gives a numeric option a lower bound (inclusive).
func (o Opt[T]) AtLeast(lo float64) Opt[T] {
	o.numeric()
	o.decl.Min = &lo
	return o
}

func (o Opt[T]) numeric() {
	if o.decl.Type != TypeNumber && o.decl.Type != TypeBytes {
		panic(fmt.Sprintf("option %q: a range needs a number or bytes option", o.decl.Name))
	}
}

// Validate adds a check of the option's value, run at config time on a set
// value after its type is checked. Its error becomes a config error located
// at the option, worded like the plugin's own register-time error:
// "<plugin> <kind> plugin: <error>".
func (o Opt[T]) Validate(check func(T) error) Opt[T] {
	read := o.read
	prev := o.decl.check
	o.decl.check = func(v any) error {
		if prev != nil {
			if err := prev(v); err != nil {
				return err
			}
		}
		return check(read(v))
	}
	return o
}

// String declares a string option (Logstash's :string): one value, kept
// as given, so a number stays a number until read as text.
func String(name string) Opt[string] {
	return newOpt(name, TypeString, readString, storeString)
}

// URI declares a URI option, masked in logs when it carries a password.
func URI(name string) Opt[string] { return newOpt(name, TypeURI, readString, storeString) }

// URIList declares a list of URIs (Logstash's `:validate => :uri, :list =>
// true`); passwords in them are masked wherever the value is shown.
func URIList(name string) Opt[[]string] {
	o := newOpt(name, TypeURI, readStrings, storeStrings)
	o.decl.List = true
	return o
}

// Path declares a path to a file that must exist at config time.
func Path(name string) Opt[string] { return newOpt(name, TypePath, readString, storeString) }

// FieldRef declares a field reference, checked at config time.
func FieldRef(name string) Opt[string] {
	return newOpt(name, TypeFieldReference, readString, storeString)
}

// Enum declares an option that takes exactly one of values.
func Enum(name string, values ...string) Opt[string] {
	o := newOpt(name, TypeEnum, readString, storeString)
	o.decl.Enum = values
	return o
}

// Password declares a secret: it is never shown in logs, errors or docs.
func Password(name string) Opt[Secret] {
	return newOpt(name, TypePassword,
		func(v any) Secret {
			if v == nil {
				return Secret{}
			}
			return Secret{value: event.ValueString(v), set: true}
		},
		func(s Secret) any { return s.value })
}

// Int declares a number option read as an integer (Logstash's :number;
// a fractional value is truncated, as Ruby's to_i does).
func Int(name string) Opt[int64] {
	return newOpt(name, TypeNumber, func(v any) int64 {
		switch t := v.(type) {
		case int64:
			return t
		case float64:
			return int64(t)
		}
		return 0
	}, func(v int64) any { return v })
}

// Float declares a number option read as a float.
func Float(name string) Opt[float64] {
	return newOpt(name, TypeNumber, func(v any) float64 {
		switch t := v.(type) {
		case int64:
			return float64(t)
		case float64:
			return t
		}
		return 0
	}, func(v float64) any {
		// A whole default reads as Logstash's Integer (300, not 300.0) in
		// the docs; Get gives a float either way.
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v)
		}
		return v
	})
}

// Bytes declares a size: a number of bytes or text such as "10MiB".
func Bytes(name string) Opt[int64] {
	return newOpt(name, TypeBytes, func(v any) int64 {
		i, _ := v.(int64)
		return i
	}, func(v int64) any { return v })
}

// Bool declares a boolean option (true/false or "true"/"false").
func Bool(name string) Opt[bool] {
	return newOpt(name, TypeBoolean, func(v any) bool {
		b, _ := v.(bool)
		return b
	}, func(v bool) any { return v })
}

// Array declares a list option (Logstash's :array) read as event values;
// a single value becomes a one-element list.
func Array(name string) Opt[[]any] {
	return newOpt(name, TypeArray, func(v any) []any {
		if v == nil {
			return nil
		}
		return asList(v)
	}, func(v []any) any { return v })
}

// Strings declares a list option whose items are read as text.
func Strings(name string) Opt[[]string] {
	return newOpt(name, TypeArray, readStrings, storeStrings)
}

// StringList declares a string option that takes a list (Logstash's
// `:validate => :string, :list => true`): every item must be a string.
func StringList(name string) Opt[[]string] {
	o := newOpt(name, TypeString, readStrings, storeStrings)
	o.decl.List = true
	return o
}

// Hash declares a hash option (never nil when read).
func Hash(name string) Opt[*event.Map] {
	return newOpt(name, TypeHash, func(v any) *event.Map {
		if m, ok := v.(*event.Map); ok {
			return m
		}
		return event.NewMap(0)
	}, func(m *event.Map) any { return m })
}

// Any declares an option that takes any value unchanged.
func Any(name string) Opt[any] {
	return newOpt(name, TypeAny, func(v any) any { return v }, func(v any) any { return v })
}

func readString(v any) string {
	if v == nil {
		return ""
	}
	return event.ValueString(v)
}

func storeString(s string) any { return s }

func readStrings(v any) []string {
	if v == nil {
		return nil
	}
	l := asList(v)
	out := make([]string, len(l))
	for i, it := range l {
		out[i] = event.ValueString(it)
	}
	return out
}

func storeStrings(v []string) any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

// Secret is a password option's value. Printing it (%v, %s, slog) shows
// "<password>"; only Reveal gives the text, for the one place that sends it.
type Secret struct {
	value string
	set   bool
}

// NewSecret wraps a value that must not be printed.
func NewSecret(v string) Secret { return Secret{value: v, set: true} }

// Reveal returns the secret text.
func (s Secret) Reveal() string { return s.value }

// IsSet reports whether there is a secret at all.
func (s Secret) IsSet() bool { return s.set }

// String masks the secret.
func (s Secret) String() string { return "<password>" }

// GoString masks the secret in %#v too.
func (s Secret) GoString() string { return "<password>" }

// checkRange enforces an option's declared bounds on a coerced value.
func (o *Option) checkRange(v any) error {
	if o.Min == nil && o.Max == nil {
		return nil
	}
	var f float64
	switch t := v.(type) {
	case int64:
		f = float64(t)
	case float64:
		f = t
	default:
		return nil
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	if o.Min != nil {
		lo = *o.Min
	}
	if o.Max != nil {
		hi = *o.Max
	}
	if f >= lo && f <= hi {
		return nil
	}
	switch {
	case o.Max == nil:
		return fmt.Errorf("must be at least %s", event.ValueString(numberValue(lo)))
	case o.Min == nil:
		return fmt.Errorf("must be at most %s", event.ValueString(numberValue(hi)))
	}
	return fmt.Errorf("must be between %s and %s", event.ValueString(numberValue(lo)), event.ValueString(numberValue(hi)))
}

// numberValue shows a whole bound without a fraction.
func numberValue(f float64) any {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return f
}

// CodecName declares a codec option, for a plugin that redeclares the
// common `codec` to change its default or doc; reading it gives the codec's
// name.
func CodecName(name string) Opt[string] { return newOpt(name, TypeCodec, readString, storeString) }
