// Package csv is Logstash's csv codec: each chunk of input is one CSV
// record read with Ruby's CSV rules, and events encode as CSV lines.
package csv

import (
	"errors"
	"log/slog"
	"strconv"
	"sync/atomic"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/plugins/internal/rubycsv"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optColumns                 = plugin.Strings("columns").Default([]string{}).Doc("Column names: the keys of decoded events, and the fields (references) encoded in order; without them every top-level field is encoded.")
	optSeparator               = plugin.String("separator").Default(",").Doc("The column separator (one or more characters).")
	optQuoteChar               = plugin.String("quote_char").Default(`"`).Doc("The quote character; the text `\\x00` means a NUL character.")
	optIncludeHeaders          = plugin.Bool("include_headers").Default(false).Doc("Encode a header line (the columns, or the first event's field names) before the first event.")
	optAutogenerateColumnNames = plugin.Bool("autogenerate_column_names").Default(true).Doc("Name columns past `columns` column1, column2...; when false they are dropped.")
	optSkipEmptyColumns        = plugin.Bool("skip_empty_columns").Default(false).Doc("Do not set empty values.")
	optAutodetectColumnNames   = plugin.Bool("autodetect_column_names").Default(false).Doc("Take the column names from the first record decoded, which makes no event.")
	optConvert                 = plugin.Hash("convert").Default(event.NewMap(0)).Validate(rubycsv.CheckConversions).Doc("Column name → integer, float, date, date_time or boolean.")
	optCharset                 = plugin.Enum("charset", textcodec.CharsetNames...).Default("UTF-8").Doc(textcodec.CharsetDoc)
	optTarget                  = plugin.FieldRef("target").Doc("Field to put the decoded columns under; the event root when unset.")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "csv",
			Summary: "Comma-separated values: each chunk of input is one record; events encode as CSV lines.",
			Options: []plugin.Declared{optColumns, optSeparator, optQuoteChar, optIncludeHeaders, optAutogenerateColumnNames,
				optSkipEmptyColumns, optAutodetectColumnNames, optConvert, optCharset, optTarget, plugin.ECS},
			Examples: []plugin.Example{{
				Title: "Write chosen fields as CSV with a header line",
				Config: `input { stdin { } }
output { stdout { codec => csv { columns => ["message", "[event][original]"] include_headers => true } } }
`,
				Input:  "a, b\n",
				Output: "message,[event][original]\n\"a, b\",\"a, b\"\n",
			}},
		},
		New: newCodec,
	})
}

// ParseFailureTag marks an event made of a record that was not valid CSV.
const ParseFailureTag = "_csvparsefailure"

// Codec is one csv codec instance. Decoding state (detected columns) is
// the instance's stream's own; encoding is safe for concurrent use.
type Codec struct {
	log              *slog.Logger
	charset          *textcodec.Charset
	dialect          rubycsv.Dialect
	columns          []any
	columnNames      []string
	columnRefs       []event.FieldRef
	autogenerate     bool
	skipEmptyColumns bool
	autodetect       bool
	convert          map[string]string
	target           *event.FieldRef
	original         bool
	// headerPending is include_headers until the header is written.
	headerPending atomic.Bool
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	charset, err := textcodec.NewCharset(s, optCharset)
	if err != nil {
		return nil, err
	}
	c := &Codec{
		log:              s.Logger(),
		charset:          charset,
		dialect:          rubycsv.Dialect{Separator: optSeparator.Get(s), Quote: optQuoteChar.Get(s)},
		autogenerate:     optAutogenerateColumnNames.Get(s),
		skipEmptyColumns: optSkipEmptyColumns.Get(s),
		autodetect:       optAutodetectColumnNames.Get(s),
		convert:          map[string]string{},
		original:         s.ECS() != "disabled",
	}
	if c.dialect.Quote == `\x00` {
		c.dialect.Quote = "\x00"
	}
	c.headerPending.Store(optIncludeHeaders.Get(s))
	for _, name := range optColumns.Get(s) {
		ref, err := event.ParseFieldRef(name)
		if err != nil {
			return nil, optColumns.Errorf(s, "%v", err)
		}
		c.columns = append(c.columns, name)
		c.columnNames = append(c.columnNames, name)
		c.columnRefs = append(c.columnRefs, ref)
	}
	optConvert.Get(s).Range(func(k string, v any) bool {
		c.convert[k] = ruby.ToS(v)
		return true
	})
	if optTarget.IsSet(s) {
		ref, _ := event.ParseFieldRef(optTarget.Get(s))
		c.target = &ref
	} else if c.original {
		c.log.Info("ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)")
	}
	return c, nil
}

var originalRef = event.MustFieldRef("[event][original]")

var errNoRecord = errors.New("undefined method `each_with_index' for nil:NilClass")

// Decode reads the chunk's first record into one event. Malformed CSV
// makes an event of the raw text tagged _csvparsefailure; other errors
// (which Logstash raises out of the codec) are logged and the chunk dropped.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	text := c.charset.Text(data)
	values, err := c.dialect.ParseLine(text)
	if err == nil {
		if c.autodetect && len(c.columns) == 0 {
			c.columns = values
			if values == nil {
				c.columns = []any{}
			}
			return
		}
		var decoded *event.Map
		if decoded, err = c.record(values); err == nil {
			emit(c.newEvent(decoded, text))
			return
		}
	}
	var bad *rubycsv.MalformedError
	if errors.As(err, &bad) {
		c.log.Error("CSV parse failure. Falling back to plain-text", slog.String("exception", "CSV::MalformedCSVError"), slog.String("message", err.Error()), slog.String("data", text))
		m := event.NewMap(2)
		m.Set("message", text)
		m.Set(event.TagsField, []any{ParseFailureTag})
		emit(event.NewEventFromMap(m))
		return
	}
	c.log.Error("CSV decoding failed; the data is dropped", slog.String("exception", err.Error()), slog.String("data", text))
}

// record names and converts a record's values; names are literal keys.
func (c *Codec) record(values []any) (*event.Map, error) {
	if values == nil {
		return nil, errNoRecord
	}
	decoded := event.NewMap(len(values))
	for i, v := range values {
		if c.skipEmptyColumns && (v == nil || v == "") {
			continue
		}
		var name string
		if i < len(c.columns) && c.columns[i] != nil {
			name = c.columns[i].(string)
		} else if !c.autogenerate {
			continue
		} else {
			name = "column" + strconv.Itoa(i+1)
		}
		if typ, ok := c.convert[name]; ok {
			var err error
			if v, err = rubycsv.Convert(typ, v); err != nil {
				return nil, err
			}
		}
		decoded.Set(name, v)
	}
	return decoded, nil
}

func (c *Codec) newEvent(decoded *event.Map, text string) *event.Event {
	var e *event.Event
	if c.target == nil {
		e = event.NewEventFromMap(decoded)
	} else {
		e = event.NewEvent()
		_ = e.SetRef(*c.target, decoded)
	}
	if c.original {
		_ = e.SetRef(originalRef, text)
	}
	return e
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode appends the event as one CSV line, after the header line when
// include_headers is still pending.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	if c.headerPending.CompareAndSwap(true, false) {
		var keys []string
		if len(c.columnNames) > 0 {
			keys = c.columnNames
		} else {
			keys = e.Data().Keys()
		}
		header := make([]*string, len(keys))
		for i := range keys {
			header[i] = &keys[i]
		}
		dst = c.line(dst, header)
	}
	var fields []*string
	if len(c.columnRefs) > 0 {
		fields = make([]*string, len(c.columnRefs))
		for i, r := range c.columnRefs {
			v, _ := e.GetRef(r)
			fields[i] = text(v)
		}
	} else {
		e.Data().Range(func(_ string, v any) bool {
			fields = append(fields, text(v))
			return true
		})
	}
	return c.line(dst, fields)
}

func (c *Codec) line(dst []byte, fields []*string) []byte {
	out, err := c.dialect.GenerateLine(dst, fields)
	if err != nil {
		c.log.Error("CSV encoding failed", slog.String("exception", err.Error()))
		return dst
	}
	return out
}

// text is Ruby's String(value) as CSV.generate_line takes it; nil stays
// an empty field.
func text(v any) *string {
	if v == nil {
		return nil
	}
	s := ruby.ToS(v)
	return &s
}
