// Package graphite is Logstash's graphite codec: carbon plaintext lines
// ("name value timestamp") decode into one-metric events, and events
// encode as carbon lines.
package graphite

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optMetrics          = plugin.Hash("metrics").Default(event.NewMap(0)).Doc("Metric name → value, both sprintf'd, encoded when `fields_are_metrics` is false; values are read as floats (0.0 when they are not numbers).")
	optFieldsAreMetrics = plugin.Bool("fields_are_metrics").Default(false).Doc("Encode every top-level field (but @timestamp and @version) as a metric.")
	optIncludeMetrics   = plugin.Strings("include_metrics").Default([]string{".*"}).Doc("Only metric names matching one of these regular expressions are encoded.")
	optExcludeMetrics   = plugin.Strings("exclude_metrics").Default([]string{`%\{[^}]+\}`}).Doc("Metric names matching one of these regular expressions are not encoded; by default names holding an unresolved %{field}.")
	optMetricsFormat    = plugin.String("metrics_format").Default("*").Doc("The metric path, with `*` standing for the metric name (sprintf'd; as in Logstash, the first event's rendering is kept).")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "graphite",
			Summary: "Graphite's carbon plaintext protocol: `name value timestamp` lines decode into events; events encode as such lines.",
			Options: []plugin.Declared{optMetrics, optFieldsAreMetrics, optIncludeMetrics, optExcludeMetrics, optMetricsFormat},
			Examples: []plugin.Example{{
				Title: "Read carbon lines",
				Config: `input { stdin { codec => graphite } }
filter { mutate { remove_field => ["event", "host", "@version"] } }
output { stdout { codec => json_lines } }
`,
				Input:  "servers.web1.load 0.75 1700000000\n",
				Output: `{"servers.web1.load":0.75,"@timestamp":"2023-11-14T22:13:20.000Z"}` + "\n",
			}},
		},
		New: newCodec,
	})
}

// Codec is a graphite codec instance: line buffering for one stream, and
// an encoder shared by outputs.
type Codec struct {
	log              *slog.Logger
	utf8             *textcodec.Converter
	tokenizer        *textcodec.Tokenizer
	metrics          [][2]string
	fieldsAreMetrics bool
	include          []*regexp2.Regexp
	exclude          []*regexp2.Regexp

	// format is metrics_format; each event's rendering replaces it, as
	// Logstash's codec assigns the rendered text back to the option.
	mu     sync.Mutex
	format string
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	utf8, err := textcodec.NewConverter("UTF-8")
	if err != nil {
		return nil, err
	}
	c := &Codec{log: s.Logger(), utf8: utf8, tokenizer: textcodec.NewTokenizer("\n", textcodec.DefaultLineLimit, "the graphite codec's line limit", s.Logger()),
		fieldsAreMetrics: optFieldsAreMetrics.Get(s), format: optMetricsFormat.Get(s)}
	optMetrics.Get(s).Range(func(k string, v any) bool {
		c.metrics = append(c.metrics, [2]string{k, event.ValueString(v)})
		return true
	})
	compile := func(opt plugin.Opt[[]string]) ([]*regexp2.Regexp, error) {
		var out []*regexp2.Regexp
		for _, p := range opt.Get(s) {
			re, err := ruby.Compile(p, 0)
			if err != nil {
				return nil, opt.Errorf(s, "invalid regular expression %q: %v", p, err)
			}
			out = append(out, re)
		}
		return out, nil
	}
	if c.include, err = compile(optIncludeMetrics); err != nil {
		return nil, err
	}
	if c.exclude, err = compile(optExcludeMetrics); err != nil {
		return nil, err
	}
	return c, nil
}

// Decode makes an event of each complete line: the first word is the
// metric name (a literal top-level field), the second its value as a float
// and the third the epoch seconds of @timestamp; missing words read as
// 0.0 and the epoch.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	c.tokenizer.Extract(data, func(line []byte) { c.line(line, emit) })
}

// DecodeStream is Decode that stops at a line longer than
// textcodec.DefaultLineLimit with a *textcodec.TooLongError.
func (c *Codec) DecodeStream(data []byte, emit func(*event.Event)) error {
	return c.tokenizer.ExtractStream(data, func(line []byte) { c.line(line, emit) })
}

// line makes the event of one complete line.
func (c *Codec) line(line []byte, emit func(*event.Event)) {
	text, _ := c.utf8.Convert(line)
	words := ruby.Split(text, " ")
	word := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	secs, ok := ruby.ToI(word(2)).(int64)
	if !ok {
		c.log.Error("Graphite line has a timestamp out of range; the line is dropped", slog.String("line", text))
		return
	}
	m := event.NewMap(2)
	m.Set(word(0), ruby.ToF(word(1)))
	m.Set(event.TimestampField, event.Timestamp{Time: time.Unix(secs, 0).UTC()})
	emit(event.NewEventFromMap(m))
}

// Flush drops an unterminated last line: Logstash's codec has no flush.
func (c *Codec) Flush(emit func(*event.Event)) {}

func matchesAny(res []*regexp2.Regexp, s string) bool {
	for _, re := range res {
		if ok, _ := re.MatchString(s); ok {
			return true
		}
	}
	return false
}

// Encode appends one carbon line per metric of the event, or nothing when
// no metric is left after the include and exclude filters.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	timestamp := e.Sprintf("%{+%s}")
	c.mu.Lock()
	c.format = e.Sprintf(c.format)
	format := c.format
	c.mu.Unlock()
	var lines []string
	line := func(name string, value string) {
		v := ruby.FloatToS(ruby.ToF(e.Sprintf(value)))
		lines = append(lines, strings.ReplaceAll(format, "*", name)+" "+v+" "+timestamp)
	}
	if c.fieldsAreMetrics {
		e.Data().Range(func(name string, v any) bool {
			if name == event.TimestampField || name == event.VersionField {
				return true
			}
			if (len(c.include) == 0 || matchesAny(c.include, name)) && !matchesAny(c.exclude, name) {
				line(name, ruby.ToS(v))
			}
			return true
		})
	} else {
		for _, m := range c.metrics {
			name := e.Sprintf(m[0])
			if matchesAny(c.include, name) && !matchesAny(c.exclude, name) {
				line(e.Sprintf(name), m[1])
			}
		}
	}
	if len(lines) == 0 {
		return dst
	}
	for _, l := range lines {
		dst = append(dst, l...)
		dst = append(dst, '\n')
	}
	return dst
}
