// Package dissect is Logstash's dissect filter: it splits text into fields
// by the delimiters of a pattern, without regular expressions.
package dissect

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optMapping = plugin.Hash("mapping").Default(event.NewMap(0)).Validate(checkMapping).
			Doc("Source field → dissect pattern: `%{name}`, `%{}`/`%{?name}` (skip), `%{+name}`/`%{+name/N}` (append), `%{&name}` (indirect), `->` (skip repeated delimiters).").
			Example(`{ "message" => "%{ts} %{+ts} %{level} %{msg}" }`)
	optConvertDatatype = plugin.Hash("convert_datatype").Default(event.NewMap(0)).Validate(checkConversions).
				Doc("Field → `int` or `float`, converted after every mapping ran.")
	optTagOnFailure = plugin.Strings("tag_on_failure").Default([]string{"_dissectfailure"}).
			Doc("Tags added when a source field is empty or does not match its pattern.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "dissect",
			Summary: "Extracts fields from text by the delimiters between them, without regular expressions.",
			Options: []plugin.Declared{optMapping, optConvertDatatype, optTagOnFailure},
			Examples: []plugin.Example{{
				Title: "Split a log line, joining the date and time into one field",
				Config: `input { stdin { } }
filter {
  dissect {
    mapping => { "message" => "%{ts} %{+ts} %{level->} %{pid} %{msg}" }
    convert_datatype => { "pid" => "int" }
  }
  mutate { remove_field => ["event", "host", "@version"] }
}
output { stdout { codec => json_lines } }
`,
				Input:  "2026-01-02 03:04:05 INFO   42 service started\n",
				Output: `{"@timestamp":"2026-01-02T03:04:05.678Z","message":"2026-01-02 03:04:05 INFO   42 service started","ts":"2026-01-02 03:04:05","level":"INFO","pid":42,"msg":"service started"}` + "\n",
			}},
		},
		New: newDissect,
	})
}

func checkMapping(m *event.Map) error {
	var err error
	m.Range(func(_ string, v any) bool {
		if p := ruby.ToS(v); p != "" {
			_, err = compile(p)
		}
		return err == nil
	})
	return err
}

// conversion is one convert_datatype entry; typ keeps the text as
// configured, for the failure tags.
type conversion struct {
	field string
	ref   event.FieldRef
	typ   string
	float bool
}

func checkConversions(m *event.Map) error {
	_, err := conversions(m)
	return err
}

func conversions(m *event.Map) ([]conversion, error) {
	var out []conversion
	var err error
	m.Range(func(k string, v any) bool {
		typ := ruby.ToS(v)
		switch strings.ToUpper(typ) {
		case "INT", "FLOAT":
		default:
			err = fmt.Errorf("Dissector datatype conversion, datatype not supported: %s", typ)
			return false
		}
		ref, perr := event.ParseFieldRef(k)
		if perr != nil {
			err = perr
			return false
		}
		out = append(out, conversion{field: k, ref: ref, typ: typ, float: strings.EqualFold(typ, "float")})
		return true
	})
	return out, err
}

// mapping is one source field and its pattern; an empty pattern is skipped.
type mapping struct {
	source string
	ref    event.FieldRef
	d      *dissector
}

type dissectFilter struct {
	log          *slog.Logger
	mappings     []mapping
	conversions  []conversion
	tagOnFailure []string
}

func newDissect(s *plugin.Settings) (plugin.Filter, error) {
	f := &dissectFilter{
		// Logstash logs from the Java dissector's own logger.
		log:          s.Logger().With(slog.String(logging.LoggerKey, "org.logstash.dissect.Dissector")),
		tagOnFailure: optTagOnFailure.Get(s),
	}
	var err error
	optMapping.Get(s).Range(func(k string, v any) bool {
		p := ruby.ToS(v)
		if p == "" {
			return true
		}
		m := mapping{source: k}
		if m.ref, err = event.ParseFieldRef(k); err != nil {
			err = optMapping.Errorf(s, "%v", err)
			return false
		}
		m.d, err = compile(p)
		f.mappings = append(f.mappings, m)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	f.conversions, _ = conversions(optConvertDatatype.Get(s))
	return f, nil
}

func (f *dissectFilter) tagFailure(e *event.Event) {
	for _, t := range f.tagOnFailure {
		e.Tag(t)
	}
}

// Filter dissects each mapped field, then converts. It matches when any
// mapping matched.
func (f *dissectFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	if e.Cancelled() {
		return false
	}
	matched, err := f.dissect(e)
	if err == nil {
		err = f.convert(e)
	}
	if err != nil {
		f.tagFailure(e)
		f.log.Error("Dissect threw an exception", slog.String("exception", err.Error()))
	}
	return matched
}

func (f *dissectFilter) dissect(e *event.Event) (bool, error) {
	matched := false
	var spans []span
	for _, m := range f.mappings {
		v, ok := e.GetRef(m.ref)
		if !ok {
			f.log.Warn("Dissector mapping, field not found in event", slog.String("field", m.source), slog.String("event", ruby.Inspect(e.Data())))
			continue
		}
		text := ruby.ToS(v)
		if text == "" {
			f.tagFailure(e)
			f.log.Warn("Dissector mapping, field found in event but it was empty", slog.String("field", m.source), slog.String("event", ruby.Inspect(e.Data())))
			continue
		}
		src := []byte(text)
		if cap(spans) < len(m.d.fields) {
			spans = make([]span, len(m.d.fields))
		}
		spans = spans[:len(m.d.fields)]
		clear(spans)
		if !m.d.match(src, spans) {
			f.tagFailure(e)
			f.log.Warn("Dissector mapping, pattern not found", slog.String("field", m.source), slog.String("pattern", m.d.pattern), slog.String("event", ruby.Inspect(e.Data())))
			continue
		}
		if err := m.d.store(e, src, spans); err != nil {
			return matched, err
		}
		matched = true
	}
	return matched, nil
}

var errNotDecimal = errors.New("not a decimal number")

// convert applies convert_datatype: the value's Java text read as a
// BigDecimal, truncated to an integer for int.
func (f *dissectFilter) convert(e *event.Event) error {
	for _, c := range f.conversions {
		v, _ := e.GetRef(c.ref)
		d, err := javaBigDecimal(string(event.AppendJavaString(nil, v)))
		if err != nil {
			if v == nil {
				e.Tag("_dataconversionnullvalue_" + c.field + "_" + c.typ)
				f.log.Warn("Dissector datatype conversion, field does not exist or value is nil, field: " + c.field)
			} else {
				e.Tag("_dataconversionuncoercible_" + c.field + "_" + c.typ)
				f.log.Warn("Dissector datatype conversion, value cannot be coerced, field: " + c.field + ", value: " + string(event.AppendJavaString(nil, v)))
			}
			continue
		}
		var out any = d
		if !c.float {
			out = d.Integer()
		}
		if err := e.SetRef(c.ref, out); err != nil {
			return err
		}
	}
	return nil
}

// javaBigDecimal reads text as Java's new BigDecimal(String) does, which
// also takes a missing integer part (".5").
func javaBigDecimal(s string) (event.Decimal, error) {
	body := s
	sign := ""
	if body != "" && (body[0] == '+' || body[0] == '-') {
		sign, body = body[:1], body[1:]
	}
	if len(body) > 1 && body[0] == '.' && body[1] >= '0' && body[1] <= '9' {
		body = "0" + body
	}
	d, err := event.ParseDecimal(sign + body)
	if err != nil {
		return d, errNotDecimal
	}
	return d, nil
}
