package event

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// Template is a compiled sprintf template: "%{[a][b]} at %{+YYYY.MM.dd}".
// Compile once at config time; Render per event.
type Template struct {
	raw   string
	parts []templatePart
}

type partKind uint8

const (
	partLiteral partKind = iota
	partField
	partEpoch    // %{+%s}
	partJoda     // %{+PATTERN}
	partJavaTime // %{{PATTERN}}
	partTimeNow  // %{{TIME_NOW}}
)

type templatePart struct {
	kind partKind
	text string // literal text, or the placeholder's source for a missing field
	ref  FieldRef
	fmt  timeFormatter
}

// timeFormatter formats an instant (in UTC) for %{+...} and %{{...}}.
type timeFormatter interface {
	AppendFormat(b []byte, t Timestamp) []byte
}

// CompileTemplate parses a sprintf template the way Logstash's
// StringInterpolation scans it: each "%{" pairs with the first "}" after it
// (so "%{%{a}}" names the field "%{a" and keeps the last "}"), an unpaired
// "%{" and everything after it is literal, and there is no escape. It fails
// on an invalid field reference or date pattern, which Logstash reports when
// the event is formatted; reporting it at config time is kinder.
func CompileTemplate(s string) (*Template, error) {
	t := &Template{raw: s}
	rest := s
	for {
		i := strings.Index(rest, "%{")
		if i < 0 {
			break
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			break
		}
		end += i
		if i > 0 {
			t.parts = append(t.parts, templatePart{kind: partLiteral, text: rest[:i]})
		}
		body := rest[i+2 : end]
		next := end + 1
		switch {
		case strings.HasPrefix("+%s", body):
			// Logstash region-matches the body against "+%s", so "", "+"
			// and "+%" also mean epoch seconds.
			t.parts = append(t.parts, templatePart{kind: partEpoch})
		case strings.HasPrefix(body, "{") && next >= len(rest):
			// Logstash reads the character after the "}" without a bounds
			// check; a template ending in "%{{...}" throws.
			return nil, fmt.Errorf("Index %d out of bounds for length %d", len(s), len(s))
		case strings.HasPrefix(body, "{") && rest[next] == '}':
			pattern := body[1:]
			next++
			if pattern == "TIME_NOW" {
				t.parts = append(t.parts, templatePart{kind: partTimeNow})
				break
			}
			f, err := compileJavaTimePattern(pattern)
			if err != nil {
				return nil, err
			}
			t.parts = append(t.parts, templatePart{kind: partJavaTime, fmt: f})
		case strings.HasPrefix(body, "+"):
			f, err := compileJodaPattern(body[1:])
			if err != nil {
				return nil, err
			}
			t.parts = append(t.parts, templatePart{kind: partJoda, fmt: f})
		default:
			r, err := ParseFieldRef(body)
			if err != nil {
				return nil, err
			}
			t.parts = append(t.parts, templatePart{kind: partField, ref: r, text: rest[i:next]})
		}
		rest = rest[next:]
	}
	if rest != "" {
		t.parts = append(t.parts, templatePart{kind: partLiteral, text: rest})
	}
	return t, nil
}

// MustTemplate is CompileTemplate for templates known to be valid.
func MustTemplate(s string) *Template {
	t, err := CompileTemplate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// String returns the template source.
func (t *Template) String() string { return t.raw }

// IsConstant reports whether the template has no placeholders.
func (t *Template) IsConstant() bool {
	return len(t.parts) == 0 || len(t.parts) == 1 && t.parts[0].kind == partLiteral
}

// Render formats the template for e.
func (t *Template) Render(e *Event) string {
	if t.IsConstant() {
		return t.raw
	}
	if len(t.parts) == 1 && t.parts[0].kind == partField {
		// A lone string field needs no buffer at all.
		if v, ok := e.GetRef(t.parts[0].ref); ok {
			if s, ok := v.(string); ok {
				return s
			}
		}
	}
	bp := renderBufPool.Get().(*[]byte)
	b := t.AppendRender((*bp)[:0], e)
	s := string(b)
	if cap(b) <= 64<<10 {
		*bp = b
		renderBufPool.Put(bp)
	}
	return s
}

var renderBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// AppendRender appends the formatted template to b. A field that is missing
// or null is written back as its placeholder. Date placeholders print
// nothing when the event has no @timestamp, as in Logstash.
func (t *Template) AppendRender(b []byte, e *Event) []byte {
	for i := range t.parts {
		p := &t.parts[i]
		switch p.kind {
		case partLiteral:
			b = append(b, p.text...)
		case partField:
			v, ok := e.GetRef(p.ref)
			if !ok || v == nil {
				b = append(b, p.text...)
			} else {
				b = AppendValueString(b, v)
			}
		case partEpoch:
			if ts, ok := e.Timestamp(); ok {
				b = appendEpochSeconds(b, ts)
			}
		case partJoda, partJavaTime:
			if ts, ok := e.Timestamp(); ok {
				b = p.fmt.AppendFormat(b, ts)
			}
		case partTimeNow:
			b = Now().AppendTo(b)
		}
	}
	return b
}

// templateCache holds compiled templates (or their errors) for Sprintf,
// bounded like the field reference cache: templates normally come from the
// config, but a plugin formatting event-provided text must not grow it
// forever.
var (
	templateCache     sync.Map // string -> *Template or error
	templateCacheSize atomic.Int64
)

const templateCacheLimit = 10000

// Sprintf formats a template string for the event, caching the compiled
// template. An invalid template (bad field reference or date pattern) is
// returned unchanged; Logstash raises instead, which is why config-time
// callers should use CompileTemplate and report the error.
func (e *Event) Sprintf(s string) string {
	if !strings.Contains(s, "%{") {
		return s
	}
	if v, ok := templateCache.Load(s); ok {
		if t, ok := v.(*Template); ok {
			return t.Render(e)
		}
		return s
	}
	t, err := CompileTemplate(s)
	if templateCacheSize.Load() < templateCacheLimit {
		var cached any = t
		if err != nil {
			cached = err
		}
		if _, loaded := templateCache.LoadOrStore(s, cached); !loaded {
			templateCacheSize.Add(1)
		}
	}
	if err != nil {
		return s
	}
	return t.Render(e)
}
