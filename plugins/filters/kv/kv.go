// Package kv is Logstash's kv filter: it splits key=value text into fields.
package kv

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var transforms = []string{"lowercase", "uppercase", "capitalize"}

// nonEmpty refuses an empty separator, which would split everywhere.
func nonEmpty(option string) func(string) error {
	return func(v string) error {
		if v == "" {
			return fmt.Errorf("Configuration option '%s' must be a non-empty string", option)
		}
		return nil
	}
}

var (
	optSource               = plugin.FieldRef("source").Default("message").Doc("The field holding the key=value text (a string or list of strings).")
	optTarget               = plugin.FieldRef("target").Doc("Field to put the pairs under; the event root when unset.")
	optFieldSplit           = plugin.String("field_split").Default(" ").Doc("Characters separating pairs (a regex character class body).")
	optFieldSplitPattern    = plugin.String("field_split_pattern").Validate(nonEmpty("field_split_pattern")).Doc("A regex separating pairs; overrides field_split.")
	optValueSplit           = plugin.String("value_split").Default("=").Validate(nonEmpty("value_split")).Doc("Characters separating a key from its value.")
	optValueSplitPattern    = plugin.String("value_split_pattern").Validate(nonEmpty("value_split_pattern")).Doc("A regex separating a key from its value; overrides value_split.")
	optPrefix               = plugin.String("prefix").Default("").Doc("Text prepended to every key (sprintf'd).")
	optIncludeKeys          = plugin.Strings("include_keys").Default([]string{}).Doc("Only keep these keys (sprintf'd).")
	optExcludeKeys          = plugin.Strings("exclude_keys").Default([]string{}).Doc("Drop these keys (sprintf'd).")
	optDefaultKeys          = plugin.Hash("default_keys").Default(event.NewMap(0)).Doc("Keys and values added when the text does not have them.")
	optAllowDuplicateValues = plugin.Bool("allow_duplicate_values").Default(true).Doc("Keep a repeated key's repeated values.")
	optAllowEmptyValues     = plugin.Bool("allow_empty_values").Default(false).Doc("Keep keys whose value is empty.")
	optIncludeBrackets      = plugin.Bool("include_brackets").Default(true).Doc("Treat (), [] and <> as value quotes.")
	optRecursive            = plugin.Bool("recursive").Default(false).Doc("Parse values that themselves hold key=value pairs.")
	optTrimKey              = plugin.String("trim_key").Doc("Characters trimmed from both ends of keys.")
	optTrimValue            = plugin.String("trim_value").Doc("Characters trimmed from both ends of values.")
	optRemoveCharKey        = plugin.String("remove_char_key").Doc("Characters removed from keys.")
	optRemoveCharValue      = plugin.String("remove_char_value").Doc("Characters removed from values.")
	optTransformKey         = plugin.Enum("transform_key", transforms...).Doc("Case transformation of keys.")
	optTransformValue       = plugin.Enum("transform_value", transforms...).Doc("Case transformation of values.")
	optWhitespace           = plugin.Enum("whitespace", "strict", "lenient").Default("lenient").Doc("lenient allows spaces around value_split.")
	optTimeoutMillis        = plugin.Float("timeout_millis").Default(30000).Doc("Abort parsing after this many milliseconds; 0 disables.")
	optTagOnTimeout         = plugin.String("tag_on_timeout").Default("_kv_filter_timeout").Doc("Tag added when parsing times out.")
	optTagOnFailure         = plugin.Strings("tag_on_failure").Default([]string{"_kv_filter_error"}).Doc("Tags added when parsing fails.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "kv",
			Summary: "Parses key=value pairs into fields.",
			Options: []plugin.Declared{optSource, optTarget, optFieldSplit, optFieldSplitPattern, optValueSplit, optValueSplitPattern, optPrefix, optIncludeKeys, optExcludeKeys, optDefaultKeys, optAllowDuplicateValues, optAllowEmptyValues, optIncludeBrackets, optRecursive, optTrimKey, optTrimValue, optRemoveCharKey, optRemoveCharValue, optTransformKey, optTransformValue, optWhitespace, optTimeoutMillis, optTagOnTimeout, optTagOnFailure, plugin.ECS},

			Examples: examples,
		},
		New: newKV,
	})
}

type kv struct {
	log                                        *slog.Logger
	source, target                             string
	prefix                                     string
	includeKeys, excludeKeys                   []string
	defaultKeys                                *event.Map
	allowDuplicates, allowEmpty, recursive     bool
	trimKey, trimValue, removeKey, removeValue *regexp2.Regexp
	transformKey, transformValue               string
	scan, valueSplit                           *regexp2.Regexp
	tagOnTimeout                               string
	tagOnFailure                               []string
}

func newKV(s *plugin.Settings) (plugin.Filter, error) {
	k := &kv{
		log:             s.Logger(),
		source:          optSource.Get(s),
		target:          optTarget.Get(s),
		prefix:          optPrefix.Get(s),
		includeKeys:     optIncludeKeys.Get(s),
		excludeKeys:     optExcludeKeys.Get(s),
		defaultKeys:     optDefaultKeys.Get(s),
		allowDuplicates: optAllowDuplicateValues.Get(s),
		allowEmpty:      optAllowEmptyValues.Get(s),
		recursive:       optRecursive.Get(s),
		transformKey:    optTransformKey.Get(s),
		transformValue:  optTransformValue.Get(s),
		tagOnTimeout:    optTagOnTimeout.Get(s),
		tagOnFailure:    optTagOnFailure.Get(s),
	}
	valueSplit, fieldSplit := optValueSplit.Get(s), optFieldSplit.Get(s)
	timeout := time.Duration(optTimeoutMillis.Get(s) * float64(time.Millisecond))
	compile := func(option plugin.Opt[string], src string) (*regexp2.Regexp, error) {
		t, err := ruby.Translate(src, nil)
		if err == nil {
			var re *regexp2.Regexp
			if re, err = regexp2.Compile(t, regexp2.Multiline); err == nil {
				if timeout > 0 {
					re.MatchTimeout = timeout
				}
				return re, nil
			}
		}
		return nil, option.Errorf(s, "invalid regular expression %s: %v", ruby.Inspect(src), err)
	}
	var err error
	for _, c := range []struct {
		option plugin.Opt[string]
		re     **regexp2.Regexp
		build  func(string) string
	}{
		{optTrimKey, &k.trimKey, func(c string) string { return "^[" + c + "]+|[" + c + "]+$" }},
		{optTrimValue, &k.trimValue, func(c string) string { return "^[" + c + "]+|[" + c + "]+$" }},
		{optRemoveCharKey, &k.removeKey, func(c string) string { return "[" + c + "]" }},
		{optRemoveCharValue, &k.removeValue, func(c string) string { return "[" + c + "]" }},
	} {
		if c.option.IsSet(s) {
			if *c.re, err = compile(c.option, c.build(c.option.Get(s))); err != nil {
				return nil, err
			}
		}
	}

	// The scanning regex is built the way the Ruby plugin builds it, so
	// quoting, escapes and separators behave the same.
	fieldSplitRE := "[" + fieldSplit + "]"
	if optFieldSplitPattern.IsSet(s) {
		fieldSplitRE = optFieldSplitPattern.Get(s)
	}
	valueSplitRE := "[" + valueSplit + "]"
	if optValueSplitPattern.IsSet(s) {
		valueSplitRE = optValueSplitPattern.Get(s)
	}
	if optWhitespace.Get(s) == "lenient" {
		valueSplitRE = " *" + group(valueSplitRE) + " *"
	}
	var keyRE string
	if optValueSplitPattern.IsSet(s) || optFieldSplitPattern.IsSet(s) {
		keyRE = captureUntilPattern(group(valueSplitRE) + "|" + group(fieldSplitRE))
	} else {
		keyRE = captureUntilClass(valueSplit + fieldSplit)
	}
	values := []string{quoted(`"`, `"`), quoted(`'`, `'`)}
	if optIncludeBrackets.Get(s) {
		values = append(values, quoted("(", ")"), quoted("[", "]"), quoted("<", ">"))
	}
	if optFieldSplitPattern.IsSet(s) {
		values = append(values, captureUntilPattern(group(fieldSplitRE)))
	} else {
		values = append(values, captureUntilClass(fieldSplit))
	}
	for i, v := range values {
		values[i] = group(v)
	}
	scan := keyRE + group(valueSplitRE) + "(?:" + strings.Join(values, "|") + ")?" + "(?:" + group(fieldSplitRE) + "|(?:$))"
	if k.scan, err = compile(optFieldSplit, scan); err != nil {
		return nil, err
	}
	if k.valueSplit, err = compile(optValueSplit, valueSplitRE); err != nil {
		return nil, err
	}
	if !optTarget.IsSet(s) && s.ECS() != "disabled" {
		k.log.Info("ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)")
	}
	return k, nil
}

// group wraps a regex so alternation inside it stays inside (Ruby's
// interpolation of a Regexp does the same with (?-mix:...)).
func group(re string) string { return "(?:" + re + ")" }

func captureUntilPattern(re string) string { return `((?:(?!` + re + `)(?:\\.|.))+)` }

func captureUntilClass(class string) string { return `((?:\\.|[^` + class + `])+)` }

func quoted(open, close string) string {
	return quote(open) + captureUntilClass(quote(close)) + "?" + quote(close)
}

// quote escapes every ASCII punctuation character, like Regexp.quote does
// for the ones that matter.
func quote(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 0x80 && (c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

var errTimedOut = errors.New("kv timeout")

// Filter parses the source and writes the pairs; nothing found means no match.
func (k *kv) Filter(e *event.Event, _ func(*event.Event)) bool {
	value, _ := e.Get(k.source)
	pairs := event.NewMap(8)
	err := k.parseValue(value, e, pairs)
	if errors.Is(err, errTimedOut) {
		k.log.Warn(fmt.Sprintf("Timeout reached in KV filter with value %s", summarize(value)))
		e.Tag(k.tagOnTimeout)
		return false
	}
	if err == nil {
		merged := k.defaultKeys.Clone()
		pairs.Range(func(key string, v any) bool {
			merged.Set(key, v)
			return true
		})
		if merged.Len() == 0 {
			return false
		}
		if k.target != "" {
			err = e.Set(k.target, merged)
		} else {
			merged.Range(func(key string, v any) bool {
				err = e.Set(key, v)
				return err == nil
			})
		}
	}
	if err != nil {
		k.log.Warn("Exception while parsing KV", slog.String("exception", err.Error()))
		for _, t := range k.tagOnFailure {
			e.Tag(t)
		}
		return false
	}
	return true
}

func summarize(v any) string {
	s := ruby.ToS(v)
	if len(s) < 255 {
		return "`" + ruby.Inspect(s) + "`"
	}
	return "(entry too large to show; showing first 255 characters) `" + ruby.Inspect(string([]rune(s)[:min(256, len([]rune(s)))])) + "`[...]"
}

func (k *kv) parseValue(v any, e *event.Event, pairs *event.Map) error {
	switch t := v.(type) {
	case nil:
	case string:
		return k.parse(t, e, pairs)
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				if err := k.parse(s, e, pairs); err != nil {
					return err
				}
			}
		}
	default:
		k.log.Warn("kv filter has no support for this type of data", slog.String("type", fmt.Sprintf("%T", v)))
	}
	return nil
}

func (k *kv) transform(s, how string) string {
	switch how {
	case "lowercase":
		return ruby.Downcase(s)
	case "uppercase":
		return ruby.Upcase(s)
	case "capitalize":
		return ruby.Capitalize(s)
	}
	return s
}

func gsubEmpty(re *regexp2.Regexp, s string) (string, error) {
	if re == nil {
		return s, nil
	}
	out, err := ruby.Gsub(re, s, "")
	if err != nil {
		return "", errTimedOut
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (k *kv) parse(text string, e *event.Event, pairs *event.Map) error {
	if ok, err := k.valueSplit.MatchString(text); err != nil {
		return errTimedOut
	} else if !ok {
		return nil
	}
	include := make([]string, len(k.includeKeys))
	for i, key := range k.includeKeys {
		include[i] = e.Sprintf(key)
	}
	exclude := make([]string, len(k.excludeKeys))
	for i, key := range k.excludeKeys {
		exclude[i] = e.Sprintf(key)
	}
	m, err := k.scan.FindStringMatch(text)
	for ; m != nil && err == nil; m, err = k.scan.FindNextMatch(m) {
		groups := m.Groups()
		key := groups[1].String()
		value := ""
		for _, g := range groups[2:] {
			if len(g.Captures) > 0 {
				value = g.String()
				break
			}
		}
		if value == "" && !k.allowEmpty {
			continue
		}
		if key, err = gsubEmpty(k.trimKey, key); err != nil {
			return err
		}
		if key, err = gsubEmpty(k.removeKey, key); err != nil {
			return err
		}
		key = k.transform(key, k.transformKey)
		if len(include) > 0 && !contains(include, key) || contains(exclude, key) {
			continue
		}
		key = e.Sprintf(k.prefix) + key
		if value, err = gsubEmpty(k.trimValue, value); err != nil {
			return err
		}
		if value, err = gsubEmpty(k.removeValue, value); err != nil {
			return err
		}
		value = k.transform(value, k.transformValue)
		old, exists := pairs.Get(key)
		if !k.allowDuplicates && exists && includesValue(old, value) {
			continue
		}
		var v any = value
		if k.recursive {
			inner := event.NewMap(4)
			if err := k.parse(value, e, inner); err != nil {
				return err
			}
			if inner.Len() > 0 {
				v = inner
			}
		}
		switch o := old.(type) {
		case nil:
			if exists {
				pairs.Set(key, []any{nil, v})
			} else {
				pairs.Set(key, v)
			}
		case []any:
			pairs.Set(key, append(o, v))
		default:
			pairs.Set(key, []any{o, v})
		}
	}
	if err != nil {
		return errTimedOut
	}
	return nil
}

// includesValue is Ruby's include? on the value stored so far: membership
// for a list, substring for a string.
func includesValue(old any, value string) bool {
	switch o := old.(type) {
	case []any:
		for _, x := range o {
			if x == value {
				return true
			}
		}
	case string:
		return strings.Contains(o, value)
	}
	return false
}
