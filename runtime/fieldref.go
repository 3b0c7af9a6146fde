package runtime

import (
	"fmt"
	"strings"
	"sync"
)

// FieldRef is a parsed field reference such as `[a][b]`, `a.b` (one key) or
// `[@metadata][x]`. Parsing follows Logstash's strict tokenizer: embedded
// references like `[[a][b]][c]` flatten to a, b, c; text outside brackets,
// empty fragments and unbalanced brackets are errors.
type FieldRef struct {
	// Path is the chain of keys from the event's root (or from the metadata
	// map when Metadata is set, in which case "@metadata" itself is not in Path).
	Path     []string
	Metadata bool
	raw      string
}

// String returns the reference as written.
func (r FieldRef) String() string { return r.raw }

// InvalidFieldRefError is returned for references the strict grammar rejects.
type InvalidFieldRefError struct{ Ref string }

func (e *InvalidFieldRefError) Error() string {
	return fmt.Sprintf("Invalid FieldReference: `%s`", e.Ref)
}

var fieldRefCache sync.Map // string -> FieldRef or error

// ParseFieldRef parses s, caching the result: references come from a small
// set of config strings but are used for every event.
func ParseFieldRef(s string) (FieldRef, error) {
	if v, ok := fieldRefCache.Load(s); ok {
		if err, bad := v.(error); bad {
			return FieldRef{}, err
		}
		return v.(FieldRef), nil
	}
	r, err := parseFieldRef(s)
	if err != nil {
		fieldRefCache.Store(s, err)
		return FieldRef{}, err
	}
	fieldRefCache.Store(s, r)
	return r, nil
}

// MustFieldRef is ParseFieldRef for references known to be valid at compile time.
func MustFieldRef(s string) FieldRef {
	r, err := ParseFieldRef(s)
	if err != nil {
		panic(err)
	}
	return r
}

func parseFieldRef(s string) (FieldRef, error) {
	var path []string
	if !strings.ContainsAny(s, "[]") {
		path = []string{s}
	} else {
		// Every name must sit directly between '[' and ']'; depth never goes
		// below zero and ends at zero. That single rule yields Logstash's
		// accepted forms (including embedded references) and rejects the rest.
		depth := 0
		for i := 0; i < len(s); {
			switch s[i] {
			case '[':
				if i+1 < len(s) && s[i+1] == ']' {
					return FieldRef{}, &InvalidFieldRefError{s}
				}
				depth++
				i++
			case ']':
				depth--
				if depth < 0 {
					return FieldRef{}, &InvalidFieldRefError{s}
				}
				i++
			default:
				j := i
				for j < len(s) && s[j] != '[' && s[j] != ']' {
					j++
				}
				if i == 0 || s[i-1] != '[' || j == len(s) || s[j] != ']' {
					return FieldRef{}, &InvalidFieldRefError{s}
				}
				path = append(path, s[i:j])
				i = j
			}
		}
		if depth != 0 || len(path) == 0 {
			return FieldRef{}, &InvalidFieldRefError{s}
		}
	}
	r := FieldRef{Path: path, raw: s}
	if path[0] == "@metadata" {
		r.Metadata = true
		r.Path = path[1:]
	}
	return r, nil
}
