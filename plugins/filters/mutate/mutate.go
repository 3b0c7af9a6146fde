// Package mutate is Logstash's mutate filter: renames, replaces, converts
// and reshapes fields, always in Logstash's fixed order within one block.
package mutate

import (
	"fmt"
	"log/slog"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/dlclark/regexp2"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optCoerce       = plugin.Hash("coerce").Doc("Field → default value, set when the field exists with a null value.")
	optRename       = plugin.Hash("rename").Doc("Old field → new field; both names are sprintf'd.")
	optUpdate       = plugin.Hash("update").Doc("Field → new value (sprintf'd), only for fields that exist.")
	optReplace      = plugin.Hash("replace").Doc("Field → new value (sprintf'd), creating the field when missing.")
	optConvert      = plugin.Hash("convert").Validate(checkConversions).Doc("Field → type: integer, float, integer_eu, float_eu, string or boolean.")
	optGsub         = plugin.Array("gsub").Doc("Triples of field, Ruby regex and replacement, applied to strings and arrays of strings.")
	optUppercase    = plugin.Strings("uppercase").Doc("Fields to upper-case (full Unicode case mapping).")
	optCapitalize   = plugin.Strings("capitalize").Doc("Fields to capitalize: first character upper case, the rest lower case.")
	optLowercase    = plugin.Strings("lowercase").Doc("Fields to lower-case.")
	optStrip        = plugin.Strings("strip").Doc("Fields whose leading and trailing whitespace is removed.")
	optSplit        = plugin.Hash("split").Doc("Field → separator: splits a string into an array (Ruby String#split).")
	optJoin         = plugin.Hash("join").Doc("Field → separator: joins an array into a string.")
	optMerge        = plugin.Hash("merge").Doc("Destination field → source field(s): merges arrays, strings and hashes.")
	optCopy         = plugin.Hash("copy").Doc("Source field → destination field, deep-copied, overwriting the destination.")
	optTagOnFailure = plugin.String("tag_on_failure").Default("_mutate_error").Doc("Tag added when an operation fails.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "mutate",
			Summary: "Renames, replaces, converts and modifies fields.",
			Options: []plugin.Declared{optCoerce, optRename, optUpdate, optReplace, optConvert, optGsub, optUppercase, optCapitalize, optLowercase, optStrip, optSplit, optJoin, optMerge, optCopy, optTagOnFailure},

			Examples: examples,
		},
		New: newMutate,
	})
}

type pair struct {
	key   string
	value any
}

type gsubRule struct {
	field       string
	re          *regexp2.Regexp // nil when the pattern holds %{...} and is compiled per event
	pattern     string
	replacement string
}

type mutate struct {
	log          *slog.Logger
	coerce       []pair
	rename       []pair
	update       []pair
	replace      []pair
	convert      []pair
	gsub         []gsubRule
	uppercase    []string
	capitalize   []string
	lowercase    []string
	strip        []string
	split        []pair
	join         []pair
	merge        []pair
	copy         []pair
	tagOnFailure string
}

var conversions = []string{"string", "integer", "float", "boolean", "integer_eu", "float_eu"}

// checkConversions refuses a convert target type mutate does not know.
func checkConversions(m *event.Map) error {
	var err error
	m.Range(func(_ string, v any) bool {
		t, _ := v.(string)
		if !slices.Contains(conversions, t) {
			err = fmt.Errorf("Invalid conversion type '%s', expected one of '%s'", ruby.ToS(v), strings.Join(conversions, ","))
		}
		return err == nil
	})
	return err
}

func pairs(s *plugin.Settings, option plugin.Opt[*event.Map]) []pair {
	if !option.IsSet(s) {
		return nil
	}
	var out []pair
	option.Get(s).Range(func(k string, v any) bool {
		out = append(out, pair{k, v})
		return true
	})
	return out
}

func newMutate(s *plugin.Settings) (plugin.Filter, error) {
	m := &mutate{
		log:          s.Logger(),
		coerce:       pairs(s, optCoerce),
		rename:       pairs(s, optRename),
		update:       pairs(s, optUpdate),
		replace:      pairs(s, optReplace),
		convert:      pairs(s, optConvert),
		uppercase:    optUppercase.Get(s),
		capitalize:   optCapitalize.Get(s),
		lowercase:    optLowercase.Get(s),
		strip:        optStrip.Get(s),
		split:        pairs(s, optSplit),
		join:         pairs(s, optJoin),
		merge:        pairs(s, optMerge),
		copy:         pairs(s, optCopy),
		tagOnFailure: optTagOnFailure.Get(s),
	}
	g := optGsub.Get(s)
	for i := 0; i < len(g); i += 3 {
		triple := []any{nil, nil, nil}
		copy(triple, g[i:min(i+3, len(g))])
		if triple[0] == nil || triple[1] == nil || triple[2] == nil {
			return nil, optGsub.Errorf(s, "Invalid gsub configuration %s. gsub requires 3 non-nil elements per config entry", ruby.Inspect(triple))
		}
		rule := gsubRule{field: ruby.ToS(triple[0]), pattern: ruby.ToS(triple[1]), replacement: ruby.ToS(triple[2])}
		if !strings.Contains(rule.pattern, "%{") {
			re, err := ruby.Compile(rule.pattern, 0)
			if err != nil {
				return nil, optGsub.Errorf(s, "invalid regular expression %s: %v", ruby.Inspect(rule.pattern), err)
			}
			rule.re = re
		}
		m.gsub = append(m.gsub, rule)
	}
	return m, nil
}

// steps are the operations in Logstash's fixed order.
var steps = [...]func(*mutate, *event.Event) error{
	(*mutate).doCoerce, (*mutate).doRename, (*mutate).doUpdate, (*mutate).doReplace,
	(*mutate).doConvert, (*mutate).doGsub, (*mutate).doUppercase, (*mutate).doCapitalize,
	(*mutate).doLowercase, (*mutate).doStrip, (*mutate).doSplit, (*mutate).doJoin,
	(*mutate).doMerge, (*mutate).doCopy,
}

// Filter applies every configured operation in Logstash's order. The first
// failing operation stops the rest and tags the event; changes made before
// it stay.
func (m *mutate) Filter(e *event.Event, _ func(*event.Event)) bool {
	for _, step := range steps {
		if err := step(m, e); err != nil {
			m.log.Warn("Exception caught while applying mutate filter", slog.String("exception", err.Error()))
			e.Tag(m.tagOnFailure)
			return false
		}
	}
	return true
}

// CommonOptionsFailed tags the event as a failed operation would: Logstash's
// mutate applies add_field and the other common options inside the same
// rescue as its operations.
func (m *mutate) CommonOptionsFailed(e *event.Event, err error) {
	m.log.Warn("Exception caught while applying mutate filter", slog.String("exception", err.Error()))
	e.Tag(m.tagOnFailure)
}

func (m *mutate) doCoerce(e *event.Event) error {
	for _, p := range m.coerce {
		if v, ok := e.Get(p.key); ok && v == nil {
			if err := e.Set(p.key, e.Sprintf(ruby.ToS(p.value))); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *mutate) doRename(e *event.Event) error {
	for _, p := range m.rename {
		from, to := e.Sprintf(p.key), e.Sprintf(ruby.ToS(p.value))
		if !e.Includes(from) {
			continue
		}
		v, _ := e.Remove(from)
		if err := e.Set(to, v); err != nil {
			return err
		}
	}
	return nil
}

func (m *mutate) doUpdate(e *event.Event) error {
	for _, p := range m.update {
		if !e.Includes(p.key) {
			continue
		}
		if err := e.Set(p.key, e.Sprintf(ruby.ToS(p.value))); err != nil {
			return err
		}
	}
	return nil
}

func (m *mutate) doReplace(e *event.Event) error {
	for _, p := range m.replace {
		if err := e.Set(p.key, e.Sprintf(ruby.ToS(p.value))); err != nil {
			return err
		}
	}
	return nil
}

func (m *mutate) doConvert(e *event.Event) error {
	for _, p := range m.convert {
		v, ok := e.Get(p.key)
		if !ok || v == nil {
			continue
		}
		conv := converter(p.value.(string), m.log)
		var out any
		switch t := v.(type) {
		case *event.Map:
			continue
		case []any:
			list := make([]any, len(t))
			for i, x := range t {
				if x == nil {
					continue
				}
				c, err := conv(x)
				if err != nil {
					return err
				}
				list[i] = c
			}
			out = list
		default:
			c, err := conv(v)
			if err != nil {
				return err
			}
			out = c
		}
		if err := e.Set(p.key, out); err != nil {
			return err
		}
	}
	return nil
}

func (m *mutate) doGsub(e *event.Event) error {
	for _, rule := range m.gsub {
		v, _ := e.Get(rule.field)
		switch t := v.(type) {
		case string:
			s, err := m.gsubOne(e, rule, t)
			if err != nil {
				return err
			}
			if err := e.Set(rule.field, s); err != nil {
				return err
			}
		case []any:
			out := make([]any, len(t))
			for i, x := range t {
				s, ok := x.(string)
				if !ok {
					m.log.Warn("gsub mutation is only applicable for strings and arrays of strings, skipping", slog.String("field", rule.field), slog.String("value", ruby.Inspect(x)))
					out[i] = x
					continue
				}
				r, err := m.gsubOne(e, rule, s)
				if err != nil {
					return err
				}
				out[i] = r
			}
			if err := e.Set(rule.field, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *mutate) gsubOne(e *event.Event, rule gsubRule, s string) (string, error) {
	re := rule.re
	if re == nil {
		var err error
		if re, err = ruby.Compile(e.Sprintf(rule.pattern), 0); err != nil {
			return "", err
		}
	}
	return ruby.Gsub(re, s, e.Sprintf(rule.replacement))
}

// caseMap applies fn to a string field or to the string elements of an
// array field; other values are left alone.
func caseMap(e *event.Event, fields []string, fn func(string) string) error {
	for _, f := range fields {
		v, ok := e.Get(f)
		if !ok || v == nil {
			continue
		}
		var out any
		switch t := v.(type) {
		case string:
			out = fn(t)
		case []any:
			list := make([]any, len(t))
			for i, x := range t {
				if s, ok := x.(string); ok {
					list[i] = fn(s)
				} else {
					list[i] = x
				}
			}
			out = list
		default:
			out = v
		}
		if err := e.Set(f, out); err != nil {
			return err
		}
	}
	return nil
}

func (m *mutate) doUppercase(e *event.Event) error {
	return caseMap(e, m.uppercase, ruby.Upcase)
}

func (m *mutate) doCapitalize(e *event.Event) error {
	return caseMap(e, m.capitalize, ruby.Capitalize)
}

func (m *mutate) doLowercase(e *event.Event) error {
	return caseMap(e, m.lowercase, ruby.Downcase)
}

func (m *mutate) doStrip(e *event.Event) error {
	for _, f := range m.strip {
		v, _ := e.Get(f)
		var out any
		switch t := v.(type) {
		case string:
			out = ruby.Strip(t)
		case []any:
			list := make([]any, len(t))
			for i, x := range t {
				s, ok := x.(string)
				if !ok {
					return fmt.Errorf("undefined method `strip' for %s", ruby.Inspect(x))
				}
				list[i] = ruby.Strip(s)
			}
			out = list
		default:
			continue
		}
		if err := e.Set(f, out); err != nil {
			return err
		}
	}
	return nil
}

func (m *mutate) doSplit(e *event.Event) error {
	for _, p := range m.split {
		v, _ := e.Get(p.key)
		s, ok := v.(string)
		if !ok {
			continue
		}
		sep, ok := p.value.(string)
		if !ok {
			return fmt.Errorf("wrong argument type %s (expected Regexp)", ruby.Inspect(p.value))
		}
		parts := ruby.Split(s, sep)
		list := make([]any, len(parts))
		for i, x := range parts {
			list[i] = x
		}
		if err := e.Set(p.key, list); err != nil {
			return err
		}
	}
	return nil
}

func (m *mutate) doJoin(e *event.Event) error {
	for _, p := range m.join {
		v, _ := e.Get(p.key)
		list, ok := v.([]any)
		if !ok {
			continue
		}
		if err := e.Set(p.key, ruby.Join(list, ruby.ToS(p.value))); err != nil {
			return err
		}
	}
	return nil
}

// asArray is Ruby's Kernel#Array for event values: nil is empty, a list is
// itself, anything else is wrapped.
func asArray(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

func (m *mutate) doMerge(e *event.Event) error {
	for _, p := range m.merge {
		dest, _ := e.Get(p.key)
		for _, src := range asArray(p.value) {
			srcField := ruby.ToS(src)
			added, _ := e.Get(srcField)
			destMap, destIsMap := dest.(*event.Map)
			addedMap, addedIsMap := added.(*event.Map)
			if destIsMap != addedIsMap {
				m.log.Error("Not possible to merge an array and a hash: ", slog.String("dest_field", p.key), slog.String("added_field", srcField))
				continue
			}
			if destIsMap {
				addedMap.Range(func(k string, v any) bool {
					destMap.Set(k, event.CloneValue(v))
					return true
				})
				if err := e.Set(p.key, destMap); err != nil {
					return err
				}
				continue
			}
			merged := make([]any, 0, len(asArray(dest))+len(asArray(added)))
			merged = append(merged, asArray(dest)...)
			for _, v := range asArray(added) {
				merged = append(merged, event.CloneValue(v))
			}
			if err := e.Set(p.key, merged); err != nil {
				return err
			}
			// Ruby's Array(dest) is dest itself only when dest is an array,
			// so only then does a later source see the earlier ones.
			if _, isList := dest.([]any); isList {
				dest = merged
			}
		}
	}
	return nil
}

func (m *mutate) doCopy(e *event.Event) error {
	for _, p := range m.copy {
		v, _ := e.Get(p.key)
		if v == nil {
			continue
		}
		if err := e.Set(ruby.ToS(p.value), event.CloneValue(v)); err != nil {
			return err
		}
	}
	return nil
}

var (
	trueRE  = regexp.MustCompile(`(?im)^(true|t|yes|y|1|1.0)$`)
	falseRE = regexp.MustCompile(`(?im)^(false|f|no|n|0|0.0)$`)
)

func converter(kind string, log *slog.Logger) func(any) (any, error) {
	switch kind {
	case "string":
		return func(v any) (any, error) { return ruby.ToS(v), nil }
	case "boolean":
		return func(v any) (any, error) {
			s := ruby.ToS(v)
			if trueRE.MatchString(s) {
				return true, nil
			}
			if s == "" || falseRE.MatchString(s) {
				return false, nil
			}
			log.Warn("Failed to convert " + s + " into boolean.")
			return v, nil
		}
	case "integer":
		return toInteger
	case "float":
		return toFloat
	case "integer_eu":
		return func(v any) (any, error) { return toInteger(swapEU(v)) }
	case "float_eu":
		return func(v any) (any, error) { return toFloat(swapEU(v)) }
	}
	panic("mutate: unchecked conversion " + kind)
}

// swapEU exchanges "," and "." in strings: "1.000,5" reads as "1,000.5".
func swapEU(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ',':
			return '.'
		case '.':
			return ','
		}
		return r
	}, s)
}

func prepareNumber(s string) string {
	return strings.ToLower(strings.ReplaceAll(ruby.Strip(s), ",", ""))
}

var hexPrefix = regexp.MustCompile(`^[+-]?0x`)

func toInteger(v any) (any, error) {
	switch t := v.(type) {
	case bool:
		if t {
			return int64(1), nil
		}
		return int64(0), nil
	case int64, *big.Int:
		return v, nil
	case float64:
		return ruby.FloatToI(t)
	case event.Decimal:
		return t.Integer(), nil // Integer(BigDecimal) truncates
	case event.Timestamp:
		return t.Unix(), nil
	case string:
		s := prepareNumber(t)
		if hexPrefix.MatchString(s) {
			if !strings.Contains(s, ".") {
				return ruby.HexInteger(s)
			}
			f, err := ruby.Float(s)
			if err != nil {
				return nil, err
			}
			return ruby.FloatToI(f)
		}
		return ruby.BigDecimalToI(s)
	}
	return nil, fmt.Errorf("can't convert %s into Integer", ruby.Inspect(v))
}

func toFloat(v any) (any, error) {
	switch t := v.(type) {
	case bool:
		if t {
			return 1.0, nil
		}
		return 0.0, nil
	case float64:
		return t, nil
	case event.Decimal:
		return t.Float64(), nil
	case int64:
		return float64(t), nil
	case *big.Int:
		f, _ := new(big.Float).SetInt(t).Float64()
		return f, nil
	case event.Timestamp:
		return float64(t.UnixNano()) / 1e9, nil
	case string:
		return ruby.Float(prepareNumber(t))
	}
	return nil, fmt.Errorf("can't convert %s into Float", ruby.Inspect(v))
}
