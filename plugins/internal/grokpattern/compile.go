package grokpattern

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/internal/ruby/onigmo"
)

// maxExpansions is jls-grok's limit on %{...} replacements per pattern.
const maxExpansions = 10000

// Capture is one named group of a compiled pattern.
type Capture struct {
	Name   string // the group's name: NAME:field[:type] or a raw group name
	Group  int    // regexp2 group number
	Index  int    // onigmo group number
	Field  string // event field the value goes to
	Coerce string // "int", "float" or ""
}

// Compiled is one grok pattern ready to run: on the onigmo matcher when
// it takes the pattern on, else on regexp2 (which also runs every pattern
// on text that is not valid UTF-8).
type Compiled struct {
	Source   string
	Re       *regexp2.Regexp
	Fast     *onigmo.Regexp // nil when onigmo leaves the pattern to regexp2
	Captures []Capture
}

// reference is one %{NAME}, %{NAME:field[:type]} or %{NAME=regex} in a pattern.
type reference struct {
	start, end int
	pattern    string // NAME
	name       string // NAME or NAME:field[:type]
	definition string
	hasDef     bool
}

func isPatternNameChar(c byte) bool { return c >= 'A' && c <= 'z' || c >= '0' && c <= '9' }

func isSubnameChar(c byte) bool {
	return isPatternNameChar(c) || c == '@' || c == '[' || c == ']' || c == '_' || c == ':' || c == '.' || c == '-'
}

// nextReference finds the first %{...} reference the way jls-grok's
// PATTERN_RE does.
func nextReference(s string) (reference, bool) {
	for from := 0; ; {
		i := strings.Index(s[from:], "%{")
		if i < 0 {
			return reference{}, false
		}
		start := from + i
		if ref, ok := parseReference(s, start); ok {
			return ref, true
		}
		from = start + 1
	}
}

func parseReference(s string, start int) (reference, bool) {
	p := start + 2
	q := p
	for q < len(s) && isPatternNameChar(s[q]) {
		q++
	}
	if q == p {
		return reference{}, false
	}
	ref := reference{start: start, pattern: s[p:q]}
	if q < len(s) && s[q] == ':' {
		r := q + 1
		for r < len(s) && isSubnameChar(s[r]) {
			r++
		}
		if r > q+1 {
			q = r
		}
	}
	ref.name = s[p:q]
	if q < len(s) && s[q] == '=' {
		if end, ok := scanDefinition(s, q+1); ok && end > q+1 {
			ref.definition, ref.hasDef = s[q+1:end], true
			q = end
		}
	}
	for q < len(s) && s[q] != '}' {
		q++
	}
	if q >= len(s) {
		return reference{}, false
	}
	ref.end = q + 1
	return ref, true
}

// scanDefinition reads an inline definition: text without unescaped
// braces, or balanced {...} groups, up to the closing brace.
func scanDefinition(s string, i int) (int, bool) {
	depth := 0
	for i < len(s) {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i += 2
			continue
		case c == '{':
			depth++
		case c == '}':
			if depth == 0 {
				return i, true
			}
			depth--
		}
		i++
	}
	return i, false
}

// Compile expands a grok pattern against defs and compiles it with
// Ruby's MULTILINE (dot matches newline) and line anchors.
func Compile(pattern string, defs map[string]string, namedCapturesOnly bool, timeout time.Duration) (*Compiled, error) {
	expanded := pattern
	for left := maxExpansions; ; left-- {
		if left == 0 {
			return nil, fmt.Errorf("Deep recursion pattern compilation of %s - expanded: %s", ruby.Inspect(pattern), ruby.Inspect(expanded))
		}
		ref, ok := nextReference(expanded)
		if !ok {
			break
		}
		if ref.hasDef {
			defs[ref.pattern] = ref.definition
		}
		regex, known := defs[ref.pattern]
		if !known {
			return nil, fmt.Errorf("pattern %s %w", expanded[ref.start:ref.end], ErrUndefined)
		}
		var repl string
		if namedCapturesOnly && !strings.Contains(ref.name, ":") {
			repl = "(?:" + regex + ")"
		} else {
			repl = "(?<" + ref.name + ">" + regex + ")"
		}
		expanded = expanded[:ref.start] + repl + expanded[ref.end:]
	}
	var names []string
	translated, err := ruby.Translate(expanded, func(name string) string {
		names = append(names, name)
		return "g" + strconv.Itoa(len(names))
	})
	if err != nil {
		return nil, err
	}
	re, err := regexp2.Compile(translated, regexp2.Multiline|regexp2.Singleline|regexp2.ExplicitCapture)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %s: %w", ruby.Inspect(expanded), err)
	}
	if timeout > 0 {
		re.MatchTimeout = timeout
	}
	c := &Compiled{Source: pattern, Re: re}
	// regexp2 has checked the pattern; onigmo runs it when it can, and
	// numbers the same named groups in the same order.
	if fast, err := onigmo.Compile(expanded, true); err == nil && slices.Equal(fast.GroupNames(), names) {
		c.Fast = fast
	}
	// Ruby lists named captures by name in order of first appearance, each
	// with all its groups; only a name's first group gets the type coercion.
	seen := map[string]bool{}
	for i, full := range names {
		if seen[full] {
			continue
		}
		seen[full] = true
		parts := strings.Split(full, ":")
		field := parts[0]
		coerce := ""
		if len(parts) > 1 {
			field = parts[1]
		}
		if len(parts) > 2 && (parts[2] == "int" || parts[2] == "float") {
			coerce = parts[2]
		}
		for j := i; j < len(names); j++ {
			if names[j] != full {
				continue
			}
			c.Captures = append(c.Captures, Capture{Name: full, Group: re.GroupNumberFromName("g" + strconv.Itoa(j+1)), Index: j + 1, Field: field, Coerce: coerce})
			coerce = ""
		}
	}
	return c, nil
}
