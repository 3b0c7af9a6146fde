package translate

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
	"go.yaml.in/yaml/v3"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/internal/rubycsv"
	"github.com/gostash/gostash/runtime/event"
)

// entry is one dictionary key and its value. Keys from YAML may be other
// than strings (an unquoted 200 is an Integer in Ruby): such keys never
// match a string lookup.
type entry struct {
	key      any
	keyText  string
	isString bool
	value    any
}

// dictionary is an immutable snapshot in Ruby Hash order (a key keeps its
// first position when updated), with the lookup structure of the
// configured strategy. A reload builds a new snapshot.
type dictionary struct {
	entries []entry
	index   map[string]int // string keys only
	// regexes are the keys compiled as Ruby regexes (exact + regex).
	regexes []*regexp2.Regexp
	// union is every key quoted, in order, as one alternation (not exact).
	union *regexp.Regexp
}

type strategy int

const (
	exactLookup strategy = iota
	exactRegex
	substringReplace
)

// newDictionary builds a snapshot from entries (later keys update earlier
// ones) for a strategy.
func newDictionary(entries []entry, how strategy) (*dictionary, error) {
	d := &dictionary{index: map[string]int{}}
	anyKeys := map[any]int{}
	for _, e := range entries {
		if e.isString {
			if i, ok := d.index[e.keyText]; ok {
				d.entries[i].value = e.value
				continue
			}
			d.index[e.keyText] = len(d.entries)
		} else if comparable(e.key) {
			if i, ok := anyKeys[e.key]; ok {
				d.entries[i].value = e.value
				continue
			}
			anyKeys[e.key] = len(d.entries)
		}
		d.entries = append(d.entries, e)
	}
	switch how {
	case exactRegex:
		for _, e := range d.entries {
			if !e.isString {
				return nil, fmt.Errorf("no implicit conversion of %s into String", rubyClass(e.key))
			}
			re, err := ruby.Compile(e.keyText, 0)
			if err != nil {
				return nil, err
			}
			d.regexes = append(d.regexes, re)
		}
	case substringReplace:
		parts := make([]string, len(d.entries))
		for i, e := range d.entries {
			if !e.isString {
				return nil, fmt.Errorf("no implicit conversion of %s into String", rubyClass(e.key))
			}
			parts[i] = regexp.QuoteMeta(e.keyText)
		}
		if len(parts) == 0 {
			// Regexp.union() of nothing matches nothing.
			parts = []string{`[^\x00-\x{10FFFF}]`}
		}
		d.union = regexp.MustCompile(strings.Join(parts, "|"))
	}
	return d, nil
}

func comparable(v any) bool {
	switch v.(type) {
	case *event.Map, []any:
		return false
	}
	return true
}

func rubyClass(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "true"
	case int64:
		return "Integer"
	case float64:
		return "Float"
	case *event.Map:
		return "Hash"
	case []any:
		return "Array"
	}
	return "Object"
}

// merged is the snapshot updated with more entries (refresh_behaviour merge).
func (d *dictionary) merged(more []entry, how strategy) (*dictionary, error) {
	return newDictionary(append(append([]entry(nil), d.entries...), more...), how)
}

// fetch looks a source text up; the value is a deep copy.
func (d *dictionary) fetch(how strategy, source string) (any, bool) {
	switch how {
	case exactLookup:
		if i, ok := d.index[source]; ok {
			return event.CloneValue(d.entries[i].value), true
		}
	case exactRegex:
		for i, re := range d.regexes {
			if ok, _ := re.MatchString(source); ok {
				return event.CloneValue(d.entries[i].value), true
			}
		}
	case substringReplace:
		out := d.union.ReplaceAllStringFunc(source, func(m string) string {
			if i, ok := d.index[m]; ok {
				return ruby.ToS(d.entries[i].value)
			}
			return ""
		})
		if out != source {
			return out, true
		}
	}
	return nil, false
}

func stringEntry(k string, v any) entry {
	return entry{key: k, keyText: k, isString: true, value: v}
}

// fileFormat is a dictionary file's format, by extension.
type fileFormat int

const (
	formatYAML fileFormat = iota
	formatJSON
	formatCSV
)

var yamlPathRE = regexp.MustCompile(`\.y[a]?ml$`)

func formatOf(path string) (fileFormat, error) {
	switch {
	case yamlPathRE.MatchString(path):
		return formatYAML, nil
	case strings.HasSuffix(path, ".json"):
		return formatJSON, nil
	case strings.HasSuffix(path, ".csv"):
		return formatCSV, nil
	}
	return 0, fmt.Errorf("Translate: Dictionary %s has a non valid format", path)
}

// readFile reads a dictionary file's entries in file order.
func readFile(path string, format fileFormat, yamlLimit int64) ([]entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	switch format {
	case formatJSON:
		return jsonEntries(data)
	case formatCSV:
		return csvEntries(data)
	}
	return yamlEntries(data, yamlLimit)
}

func jsonEntries(data []byte) ([]entry, error) {
	if len(data) == 0 {
		return nil, nil
	}
	v, err := event.DecodeJSON(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*event.Map)
	if !ok {
		return nil, fmt.Errorf("the JSON dictionary is not an object")
	}
	var out []entry
	m.Range(func(k string, v any) bool {
		out = append(out, stringEntry(k, v))
		return true
	})
	return out, nil
}

// csvEntries reads each row's first two columns as key and value, with
// Ruby's CSV rules (a blank line is a nil key with a nil value).
func csvEntries(data []byte) ([]entry, error) {
	records, err := rubycsv.Dialect{Separator: ",", Quote: `"`}.ParseAll(string(data))
	if err != nil {
		return nil, err
	}
	out := make([]entry, 0, len(records))
	for _, r := range records {
		var k, v any
		if len(r) > 0 {
			k = r[0]
		}
		if len(r) > 1 {
			v = r[1]
		}
		if s, ok := k.(string); ok {
			out = append(out, stringEntry(s, v))
		} else {
			out = append(out, entry{key: k, value: v})
		}
	}
	return out, nil
}

var errYAMLNotText = errors.New("invalid byte sequence in UTF-8")

// yamlEntries reads a top-level YAML mapping the way Psych loads it
// (YAML 1.1 scalars: yes/no/on/off are booleans).
func yamlEntries(data []byte, limit int64) ([]entry, error) {
	if !utf8.Valid(data) {
		return nil, errYAMLNotText
	}
	if n := int64(utf8.RuneCount(data)); n > limit {
		return nil, fmt.Errorf("The incoming YAML document exceeds the limit: %d code points.", limit)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root := resolveAlias(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		// Psych builds something other than a Hash and the dictionary
		// stays as it was.
		return nil, nil
	}
	var out []entry
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, err := yamlValue(root.Content[i])
		if err != nil {
			return nil, err
		}
		v, err := yamlValue(root.Content[i+1])
		if err != nil {
			return nil, err
		}
		if s, ok := k.(string); ok {
			out = append(out, stringEntry(s, v))
		} else {
			out = append(out, entry{key: k, value: v})
		}
	}
	return out, nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// yamlValue is a YAML node as an event value.
func yamlValue(n *yaml.Node) (any, error) {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlValue(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.MappingNode:
		m := event.NewMap(len(n.Content) / 2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := yamlValue(n.Content[i])
			if err != nil {
				return nil, err
			}
			v, err := yamlValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m.Set(ruby.ToS(k), v)
		}
		return m, nil
	case yaml.ScalarNode:
		return yamlScalar(n), nil
	}
	return nil, nil
}

func yamlScalar(n *yaml.Node) any {
	plain := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		return strings.EqualFold(n.Value, "true")
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return i
		}
	case "!!float":
		switch strings.ToLower(n.Value) {
		case ".inf", "+.inf":
			return math.Inf(1)
		case "-.inf":
			return math.Inf(-1)
		case ".nan":
			return math.NaN()
		}
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	case "!!str":
		if plain {
			switch strings.ToLower(n.Value) {
			case "yes", "on":
				return true
			case "no", "off":
				return false
			}
		}
	}
	return n.Value
}
