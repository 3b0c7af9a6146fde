package cef

import (
	"strconv"
	"strings"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
)

// Encode appends the event as one CEF message: the header from the
// sprintf'd options, then `fields` as key=value pairs (missing fields left
// out), then the delimiter when one is set.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	dst = append(dst, "CEF:0"...)
	for _, h := range []struct {
		tmpl *event.Template
		def  string
	}{{c.vendor, "Elasticsearch"}, {c.product, "Logstash"}, {c.version, "1.0"}, {c.signature, "Logstash"}, {c.name, "Logstash"}} {
		v := sanitizeHeader(h.tmpl.Render(e))
		if v == "" {
			v = h.def
		}
		dst = append(dst, '|')
		dst = append(dst, v...)
	}
	dst = append(dst, '|')
	dst = append(dst, severity(sanitizeHeader(c.severity.Render(e)))...)
	dst = append(dst, '|')
	first := true
	for i, name := range c.fields {
		var v any
		var ok bool
		if ref := c.fieldRefs[i]; ref != nil {
			v, ok = e.GetRef(*ref)
		}
		if !ok || v == nil {
			continue
		}
		key := name
		if mapped, found := c.maps.encode[name]; found {
			key = mapped
		}
		if !first {
			dst = append(dst, ' ')
		}
		first = false
		dst = append(dst, sanitizeKey(key)...)
		dst = append(dst, '=')
		switch t := v.(type) {
		case []any, *event.Map:
			dst = append(dst, sanitizeValue(string(event.AppendJSON(nil, t)))...)
		case event.Timestamp:
			dst = append(dst, t.String()...)
		default:
			dst = append(dst, sanitizeValue(ruby.ToS(t))...)
		}
	}
	return append(dst, c.delimiter...)
}

var (
	headerEscaper = strings.NewReplacer(`\`, `\\`, `|`, `\|`, "\n", " ", "\r", " ")
	valueEscaper  = strings.NewReplacer(`\`, `\\`, `=`, `\=`, "\n", `\n`, "\r", `\n`)
)

// sanitizeHeader escapes pipes and backslashes; line breaks become spaces.
func sanitizeHeader(v string) string {
	return headerEscaper.Replace(strings.ReplaceAll(v, "\r\n", "\n"))
}

// sanitizeValue escapes backslashes and equal signs; line breaks become \n.
func sanitizeValue(v string) string {
	return valueEscaper.Replace(strings.ReplaceAll(v, "\r\n", "\n"))
}

// sanitizeKey keeps only ASCII letters and digits.
func sanitizeKey(k string) string {
	b := make([]byte, 0, len(k))
	for i := 0; i < len(k); i++ {
		if c := k[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}

// severity is the header's severity: a whole number from 0 to 10 written
// any way Ruby's Float() reads (then cut to its leading integer as
// String#to_i does), else the default 6.
func severity(v string) string {
	v = ruby.Strip(v)
	f, err := ruby.Float(v)
	if err != nil || f != float64(int64(f)) || f < 0 || f > 10 {
		v = "6"
	}
	switch n := ruby.ToI(v).(type) {
	case int64:
		return strconv.FormatInt(n, 10)
	default:
		return event.ValueString(n)
	}
}
