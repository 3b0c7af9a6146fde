package lang

import (
	"fmt"
	"os"
	"strings"
)

// LookupFunc finds the value of a ${VAR} placeholder. The default looks in
// the environment.
type LookupFunc func(name string) (string, bool)

// EnvLookup reads placeholders from the process environment.
var EnvLookup LookupFunc = os.LookupEnv

// UndefinedVarError is an unset ${VAR} without a default.
type UndefinedVarError struct{ Name string }

func (e *UndefinedVarError) Error() string {
	return fmt.Sprintf("Cannot evaluate `${%s}`. Replacement variable `%s` is not defined in a Logstash secret store or an environment entry and there is no default value given.", e.Name, e.Name)
}

// ExpandVars replaces every ${NAME} and ${NAME:default} in s. NAME must
// match [a-zA-Z_.][a-zA-Z0-9_.]*; anything else is left as written. The
// default runs to the first '}' and may be empty. It reports whether any
// placeholder was replaced.
func ExpandVars(s string, lookup LookupFunc) (string, bool, error) {
	if !strings.Contains(s, "${") {
		return s, false, nil
	}
	var b strings.Builder
	replaced := false
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s)
			break
		}
		body := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(body, ":")
		if !validVarName(name) {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		if v, ok := lookup(name); ok {
			b.WriteString(v)
		} else if hasDef {
			b.WriteString(def)
		} else {
			return "", false, &UndefinedVarError{Name: name}
		}
		replaced = true
		s = s[i+end+1:]
	}
	return b.String(), replaced, nil
}

// IsSinglePlaceholder reports whether s is exactly one ${...} placeholder,
// the only form Logstash substitutes inside conditions.
func IsSinglePlaceholder(s string) bool {
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") || strings.Count(s, "}") != 1 {
		return false
	}
	name, _, _ := strings.Cut(s[2:len(s)-1], ":")
	return validVarName(name)
}

func validVarName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		letter := c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
