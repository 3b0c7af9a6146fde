// Package csv is Logstash's csv filter: it parses one CSV record held in a
// field into named fields, with Ruby's CSV rules.
package csv

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/internal/rubycsv"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optSource                  = plugin.String("source").Default("message").Doc("The field holding the CSV text; only its first record is read.")
	optColumns                 = plugin.Strings("columns").Default([]string{}).Doc("Column names in order; a name starting with `[` is a field reference under target.")
	optSeparator               = plugin.String("separator").Default(",").Doc("The column separator (one or more characters).")
	optQuoteChar               = plugin.String("quote_char").Default(`"`).Doc("The quote character; the text `\\x00` means a NUL character, which in practice turns quoting off.")
	optTarget                  = plugin.FieldRef("target").Doc("Field to put the columns under; the event root when unset.")
	optAutogenerateColumnNames = plugin.Bool("autogenerate_column_names").Default(true).Doc("Name columns past `columns` column1, column2...; when false they are dropped.")
	optSkipHeader              = plugin.Bool("skip_header").Default(false).Doc("Drop events whose record equals `columns`.")
	optSkipEmptyColumns        = plugin.Bool("skip_empty_columns").Default(false).Doc("Do not write empty values.")
	optSkipEmptyRows           = plugin.Bool("skip_empty_rows").Default(false).Doc("Tag `_csvskippedemptyfield` instead of `_csvparsefailure` when the source is empty.")
	optConvert                 = plugin.Hash("convert").Default(event.NewMap(0)).Validate(rubycsv.CheckConversions).Doc("Column name → integer, float, date, date_time or boolean.").Example(`{ "age" => "integer" }`)
	optAutodetectColumnNames   = plugin.Bool("autodetect_column_names").Default(false).Doc("Take the column names from the first event, which is dropped; needs one pipeline worker.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "csv",
			Summary: "Parses comma-separated values into fields.",
			Options: []plugin.Declared{optSource, optColumns, optSeparator, optQuoteChar, optTarget, optAutogenerateColumnNames,
				optSkipHeader, optSkipEmptyColumns, optSkipEmptyRows, optConvert, optAutodetectColumnNames, plugin.ECS},
			Examples: []plugin.Example{{
				Title: "Name and convert columns",
				Config: `input { stdin { } }
filter {
  csv { columns => ["name", "age", "member"] convert => { "age" => "integer" "member" => "boolean" } }
  mutate { remove_field => ["event", "host", "@version"] }
}
output { stdout { codec => json_lines } }
`,
				Input:  "\"Doe, Jane\",42,TRUE,extra\n",
				Output: `{"@timestamp":"2026-01-02T03:04:05.678Z","message":"\"Doe, Jane\",42,TRUE,extra","name":"Doe, Jane","age":42,"member":true,"column4":"extra"}` + "\n",
			}},
		},
		New: newCSV,
	})
}

// Tags the filter adds.
const (
	parseFailureTag = "_csvparsefailure"
	skippedEmptyTag = "_csvskippedemptyfield"
	nulQuoteText    = `\x00`
)

// columns are the column names: configured, or detected from the first
// record (whose fields may be nil). detectedNil marks a first record that
// was empty: Ruby then holds nil columns and every later event fails.
type columns struct {
	names       []any
	detectedNil bool
}

type csvFilter struct {
	log                      *slog.Logger
	source                   string
	dialect                  rubycsv.Dialect
	target                   string
	autogenerate, skipHeader bool
	skipEmptyColumns         bool
	skipEmptyRows            bool
	autodetect               bool
	convert                  map[string]string
	// refs holds the field reference of each column name seen so far.
	refs    sync.Map
	columns atomic.Pointer[columns]
}

func newCSV(s *plugin.Settings) (plugin.Filter, error) {
	f := &csvFilter{
		log:              s.Logger(),
		source:           optSource.Get(s),
		dialect:          rubycsv.Dialect{Separator: optSeparator.Get(s), Quote: optQuoteChar.Get(s)},
		autogenerate:     optAutogenerateColumnNames.Get(s),
		skipHeader:       optSkipHeader.Get(s),
		skipEmptyColumns: optSkipEmptyColumns.Get(s),
		skipEmptyRows:    optSkipEmptyRows.Get(s),
		autodetect:       optAutodetectColumnNames.Get(s),
		convert:          map[string]string{},
	}
	if f.dialect.Quote == nulQuoteText {
		f.dialect.Quote = "\x00"
	}
	if optTarget.IsSet(s) {
		f.target = optTarget.Get(s)
		if !strings.HasPrefix(f.target, "[") {
			f.target = "[" + f.target + "]"
		}
	} else if s.ECS() != "disabled" {
		f.log.Info("ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)")
	}
	optConvert.Get(s).Range(func(k string, v any) bool {
		f.convert[k] = ruby.ToS(v)
		return true
	})
	cols := &columns{}
	for _, c := range optColumns.Get(s) {
		cols.names = append(cols.names, c)
	}
	f.columns.Store(cols)
	return f, nil
}

var (
	errNotText    = errors.New("the source is not a string")
	errNilColumns = errors.New("undefined method `empty?' for nil:NilClass")
	errNoRecord   = errors.New("undefined method `each_index' for nil:NilClass")
)

// Filter parses the source field's first record. A missing, null or false
// source is left alone.
func (f *csvFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	src, _ := e.Get(f.source)
	if src == nil || src == false {
		return false
	}
	matched, err := f.parse(e, src)
	if err != nil {
		e.Tag(parseFailureTag)
		f.log.Warn("Error parsing csv", slog.String("field", f.source), slog.String("source", ruby.ToS(src)), slog.String("exception", err.Error()))
		return false
	}
	return matched
}

func (f *csvFilter) parse(e *event.Event, src any) (bool, error) {
	text, ok := src.(string)
	if !ok {
		return false, errNotText
	}
	values, err := f.dialect.ParseLine(text)
	if err != nil {
		return false, err
	}
	cols := f.columns.Load()
	if cols.detectedNil {
		return false, errNilColumns
	}
	if f.autodetect && len(cols.names) == 0 {
		// Like Logstash, the first record seen names the columns (a race
		// between workers is Logstash's too: it needs one worker).
		f.columns.Store(&columns{names: values, detectedNil: values == nil})
		e.Cancel()
		return false, nil
	}
	if f.skipHeader && len(cols.names) > 0 && sameRecord(cols.names, values) {
		e.Cancel()
		return false, nil
	}
	if values == nil {
		if f.skipEmptyRows {
			e.Tag(skippedEmptyTag)
			return false, nil
		}
		return false, errNoRecord
	}
	for i, v := range values {
		if f.skipEmptyColumns && (v == nil || v == "") {
			continue
		}
		var name string
		if i < len(cols.names) && cols.names[i] != nil {
			name = cols.names[i].(string)
		} else if !f.autogenerate {
			continue
		} else {
			name = "column" + strconv.Itoa(i+1)
		}
		out := v
		if typ, ok := f.convert[name]; ok {
			if out, err = rubycsv.Convert(typ, v); err != nil {
				return false, err
			}
		}
		ref, err := f.ref(name)
		if err != nil {
			return false, err
		}
		if err := e.SetRef(ref, out); err != nil {
			return false, err
		}
	}
	return true, nil
}

// ref is where a column's value goes: the name under target, or appended
// to it when the name is itself a reference.
func (f *csvFilter) ref(name string) (event.FieldRef, error) {
	if r, ok := f.refs.Load(name); ok {
		return r.(event.FieldRef), nil
	}
	text := f.target + "[" + name + "]"
	if strings.HasPrefix(name, "[") {
		text = f.target + name
	}
	r, err := event.ParseFieldRef(text)
	if err != nil {
		return r, err
	}
	f.refs.Store(name, r)
	return r, nil
}

func sameRecord(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
