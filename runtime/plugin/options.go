package plugin

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gostash/gostash/internal/ruby"

	"github.com/gostash/gostash/runtime/event"
)

// OptionType is the validator of an option, after Logstash's `:validate`.
type OptionType int

const (
	// TypeString takes exactly one value and does not convert it (a number stays a number).
	TypeString OptionType = iota
	// TypeNumber takes a number or a numeric string.
	TypeNumber
	// TypeBoolean takes true/false or the strings "true"/"false".
	TypeBoolean
	// TypeArray takes a list; a single value becomes a one-element list.
	TypeArray
	// TypeHash takes a hash, or a flat list of even length read as pairs.
	TypeHash
	// TypeCodec takes a codec name or a codec block.
	TypeCodec
	// TypePassword is a string that is never shown in logs or errors.
	TypePassword
	// TypePath is a path to a file that must exist.
	TypePath
	// TypeBytes takes a number of bytes or a size such as "10MiB" or "180 mb".
	TypeBytes
	// TypeFieldReference takes a valid field reference.
	TypeFieldReference
	// TypeURI is a string, masked in logs when it carries a password.
	TypeURI
	// TypeEnum takes exactly one of Option.Enum.
	TypeEnum
	// TypeAny takes any value unchanged.
	TypeAny
)

var typeNames = map[OptionType]string{
	TypeString: "string", TypeNumber: "number", TypeBoolean: "boolean", TypeArray: "array",
	TypeHash: "hash", TypeCodec: "codec", TypePassword: "password", TypePath: "path",
	TypeBytes: "bytes", TypeFieldReference: "field_reference", TypeURI: "uri", TypeEnum: "enum",
	TypeAny: "any",
}

func (t OptionType) String() string { return typeNames[t] }

// Option declares one plugin option. Parsing, validation, defaults, --help
// text and the generated docs all come from this declaration.
type Option struct {
	Name string
	Type OptionType
	// List makes the option take a list of values of Type (Logstash's
	// `:list => true`); a single value is wrapped.
	List bool
	// Enum holds the accepted values of a TypeEnum option.
	Enum []string
	// Default is the value when unset, as an event value (string, int64,
	// float64, bool, []any, *Map) or nil for none.
	Default any
	// Required options must be set.
	Required bool
	// Deprecated, when set, is logged as a warning when the option is used.
	Deprecated string
	// Obsolete, when set, makes using the option a config error with this text.
	Obsolete string
	// CarriesPasswords marks a string option whose value may hold a password
	// in a URL's user info or a password= parameter (a JDBC connection
	// string): those parts are masked in echoed config text and messages, as
	// they are for uri options.
	CarriesPasswords bool
	// Ineffective, when set, says why setting the option changes nothing
	// (as in the Logstash plugin); setting it is a located warning.
	Ineffective string
	// Doc is one or two sentences for --help and the docs.
	Doc string
	// Example is an example value as config text, for the docs.
	Example string
	// Min and Max bound a number or bytes option (inclusive) when set.
	Min, Max *float64

	// check is the declaration's own validation of a coerced value.
	check func(v any) error
	// common marks the options every plugin of a kind shares, which the
	// pipeline reads through the package's shared handles.
	common bool
}

// secret reports whether the option's value must never be printed.
func (o *Option) secret() bool { return o.Type == TypePassword }

// carriesPasswords reports whether parts of the value are passwords.
func (o *Option) carriesPasswords() bool { return o.Type == TypeURI || o.CarriesPasswords }

// describe renders a configured value for an error message: secrets
// hidden, passwords in URIs masked as Logstash's SafeURI masks them.
func (o *Option) describe(v any) string {
	if o.carriesPasswords() {
		return rubyInspect(maskURIs(v))
	}
	return describe(v, o.secret())
}

// maskURIs replaces the password of each URI in v with xxxxxx.
func maskURIs(v any) any {
	switch t := v.(type) {
	case string:
		spans := passwordSpans(t)
		for i := len(spans) - 1; i >= 0; i-- {
			t = t[:spans[i][0]] + "xxxxxx" + t[spans[i][1]:]
		}
		return t
	case []any:
		out := make([]any, len(t))
		for i, it := range t {
			out[i] = maskURIs(it)
		}
		return out
	}
	return v
}

// coerce validates and converts a configured value (already a list when the
// option takes a list, else a scalar or one-element list) for option o.
// Messages follow Logstash's validators.
func (o *Option) coerce(v any) (any, error) {
	if o.Type == TypeAny {
		return v, nil
	}
	if o.List {
		items := asList(v)
		out := make([]any, 0, len(items))
		for _, it := range items {
			c, err := o.coerceOne(it)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	}
	switch o.Type {
	case TypeArray:
		return asList(v), nil
	case TypeHash:
		return coerceHash(v)
	case TypeCodec:
		return v, nil
	}
	items := asList(v)
	if len(items) != 1 {
		return nil, fmt.Errorf("Expected one value, got %s", o.describe(v))
	}
	return o.coerceOne(items[0])
}

func (o *Option) coerceOne(v any) (any, error) {
	switch o.Type {
	case TypeString, TypeURI:
		switch v.(type) {
		case string, int64, float64:
			return v, nil
		}
		return nil, fmt.Errorf("Expected string, got %s", describe(v, false))
	case TypePassword:
		if s, ok := v.(string); ok {
			return s, nil
		}
		if _, ok := v.(*event.Map); !ok {
			if _, ok := v.([]any); !ok {
				return event.ValueString(v), nil
			}
		}
		return nil, fmt.Errorf("Expected password (one value)")
	case TypeNumber:
		switch t := v.(type) {
		case int64, float64:
			return t, nil
		case string:
			if i, err := strconv.ParseInt(t, 10, 64); err == nil {
				return i, nil
			}
			if f, err := strconv.ParseFloat(t, 64); err == nil && !math.IsInf(f, 0) {
				return f, nil
			}
		}
		return nil, fmt.Errorf("Expected number, got %s", describe(v, false))
	case TypeBoolean:
		switch t := v.(type) {
		case bool:
			return t, nil
		case string:
			if t == "true" {
				return true, nil
			}
			if t == "false" {
				return false, nil
			}
		}
		return nil, fmt.Errorf("Expected boolean 'true' or 'false', got %s", describe(v, false))
	case TypeBytes:
		return parseBytes(v)
	case TypePath:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("Expected path (one value), got %s", describe(v, false))
		}
		if _, err := os.Stat(s); err != nil {
			return nil, fmt.Errorf("File does not exist or cannot be opened %s", s)
		}
		return s, nil
	case TypeFieldReference:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("Expected field reference, got %s", describe(v, false))
		}
		if _, err := event.ParseFieldRef(s); err != nil {
			return nil, err
		}
		return s, nil
	case TypeEnum:
		s := event.ValueString(v)
		for _, e := range o.Enum {
			if s == e {
				return s, nil
			}
		}
		return nil, fmt.Errorf("Expected one of %s, got [%s]", rubyList(o.Enum), rubyInspect(v))
	case TypeArray, TypeAny:
		return v, nil
	case TypeHash:
		return coerceHash(v)
	}
	return v, nil
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func coerceHash(v any) (any, error) {
	switch t := v.(type) {
	case *event.Map:
		return t, nil
	case []any:
		if len(t) == 1 {
			if m, ok := t[0].(*event.Map); ok {
				return m, nil
			}
		}
		if len(t)%2 != 0 {
			return nil, fmt.Errorf("Expected hash, got %s", describe(v, false))
		}
		m := event.NewMap(len(t) / 2)
		for i := 0; i < len(t); i += 2 {
			k := event.ValueString(t[i])
			if old, ok := m.Get(k); ok {
				m.Set(k, append(asList(old), t[i+1]))
			} else {
				m.Set(k, t[i+1])
			}
		}
		return m, nil
	}
	return nil, fmt.Errorf("Expected hash, got %s", describe(v, false))
}

var bytesPattern = regexp.MustCompile(`(?i)^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgtpe]?)(i?)b?\s*$`)

func parseBytes(v any) (any, error) {
	switch t := v.(type) {
	case int64:
		return t, nil
	case float64:
		return int64(t), nil
	case string:
		m := bytesPattern.FindStringSubmatch(t)
		if m != nil && (m[2] != "" || m[3] == "") {
			n, _ := strconv.ParseFloat(m[1], 64)
			base := 1000.0
			if m[3] != "" {
				base = 1024
			}
			// A bare number is bytes, as Logstash's Integer(value) reads it.
			exp := 0
			if m[2] != "" {
				exp = strings.Index("kmgtpe", strings.ToLower(m[2])) + 1
			}
			return int64(n * math.Pow(base, float64(exp))), nil
		}
	}
	return nil, fmt.Errorf("Unparseable filesize: %s. possible units (KiB, MiB, ...) e.g. '10 KiB'. doesn't parse as a number either", event.ValueString(v))
}

// describe renders a value in an error message the way Logstash's
// validators do (a Ruby inspect), or hides it for secrets.
func describe(v any, secret bool) string {
	if secret {
		return "<password>"
	}
	return rubyInspect(v)
}

func rubyList(items []string) string {
	l := make([]any, len(items))
	for i, s := range items {
		l[i] = s
	}
	return ruby.Inspect(l)
}

// rubyInspect is Ruby's inspect of an option value, as Logstash's
// validators print it; a codec shows as its name.
func rubyInspect(v any) string {
	if c, ok := v.(*CodecRef); ok {
		return c.Name
	}
	return ruby.Inspect(v)
}

// passwordPatterns find the passwords a URL-like value may carry: the
// user info's (scheme://user:PASSWORD@host) and a password parameter
// (?password=PASSWORD, as JDBC URLs pass it).
var passwordPatterns = []*regexp.Regexp{
	regexp.MustCompile(`://[^/@:?#]*:([^@/?#]*)@`),
	regexp.MustCompile(`(?i)[?&;]password=([^&;#]*)`),
}

// passwordSpans are the byte ranges of the passwords in s.
func passwordSpans(s string) [][2]int {
	var spans [][2]int
	for _, re := range passwordPatterns {
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			if m[3] > m[2] {
				spans = append(spans, [2]int{m[2], m[3]})
			}
		}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	return spans
}
