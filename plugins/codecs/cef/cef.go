// Package cef is Logstash's cef codec: ArcSight Common Event Format
// messages decode into events (CEF field names, or ECS fields in an ECS
// mode) and events encode as CEF lines.
package cef

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optVendor         = plugin.String("vendor").Default("Elasticsearch").Doc("The Device Vendor header when encoding (sprintf'd); empty falls back to the default.")
	optProduct        = plugin.String("product").Default("Logstash").Doc("The Device Product header when encoding (sprintf'd).")
	optVersion        = plugin.String("version").Default("1.0").Doc("The Device Version header when encoding (sprintf'd).")
	optSignature      = plugin.String("signature").Default("Logstash").Doc("The Signature ID header when encoding (sprintf'd).")
	optName           = plugin.String("name").Default("Logstash").Doc("The Name header when encoding (sprintf'd).")
	optSeverity       = plugin.String("severity").Default("6").Doc("The Severity header when encoding (sprintf'd); anything but a whole number from 0 to 10 becomes 6.")
	optFields         = plugin.Strings("fields").Default([]string{}).Doc("The event fields encoded as extension key=value pairs, in order.")
	optReverseMapping = plugin.Bool("reverse_mapping").Default(false).Doc("Encode extension keys as CEF's short keys (`src`) rather than full names (`sourceAddress`).")
	optDelimiter      = plugin.String("delimiter").Doc("Splits the input into messages at this text, and ends each encoded message with it; `\\r` and `\\n` stand for CR and LF. Without it each chunk of input is one message.")
	optDefaultTZ      = plugin.String("default_timezone").Doc("The time zone of timestamps that carry none, when the event has no device time zone (ECS mode); the system's when unset.")
	optLocale         = plugin.String("locale").Doc("The locale of month names in timestamps; only English names are read.")
	optRawDataField   = plugin.String("raw_data_field").Doc("A field to store the raw message in when decoding.")
	optDevice         = plugin.Enum("device", "observer", "host").Default("observer").Doc("Whether the device fields describe the `observer` or the `host` (ECS mode).")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "cef",
			Summary: "ArcSight Common Event Format: CEF messages decode into CEF or ECS fields; events encode as CEF.",
			Options: []plugin.Declared{optVendor, optProduct, optVersion, optSignature, optName, optSeverity, optFields,
				optReverseMapping, optDelimiter, optDefaultTZ, optLocale, optRawDataField, optDevice, plugin.ECS},
			Examples: []plugin.Example{{
				Title: "Decode CEF lines into ECS fields",
				Config: `input { stdin { codec => cef { delimiter => "\n" } } }
filter { mutate { remove_field => ["@version", "event", "host"] } }
output { stdout { codec => json_lines } }
`,
				Input:  "CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232\n",
				Output: `{"@timestamp":"2026-01-02T03:04:05.678Z","cef":{"version":"0","name":"worm successfully stopped"},"observer":{"vendor":"Security","product":"threatmanager","version":"1.0"},"source":{"ip":"10.0.0.1","port":"1232"},"destination":{"ip":"2.1.2.2"}}` + "\n",
			}},
		},
		New: newCodec,
	})
}

// ParseFailureTag marks the event made of a payload that is not CEF.
const ParseFailureTag = "_cefparsefailure"

// Codec is one cef codec instance; decoding state (the delimiter buffer)
// belongs to one stream, encoding is safe for concurrent use.
type Codec struct {
	log          *slog.Logger
	ecs          bool
	header       [7]event.FieldRef
	syslogHeader event.FieldRef
	maps         mappings
	timestamps   *timestampParser
	rawDataField string
	delimiter    string
	tokenizer    *textcodec.Tokenizer
	vendor       *event.Template
	product      *event.Template
	version      *event.Template
	signature    *event.Template
	name         *event.Template
	severity     *event.Template
	fields       []string
	fieldRefs    []*event.FieldRef
}

var (
	headerDisabled = [7]string{"cefVersion", "deviceVendor", "deviceProduct", "deviceVersion", "deviceEventClassId", "name", "severity"}
	headerECS      = [7]string{"[cef][version]", "[observer][vendor]", "[observer][product]", "[observer][version]", "[event][code]", "[cef][name]", "[event][severity]"}
)

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	c := &Codec{log: s.Logger(), ecs: s.ECS() != "disabled", rawDataField: optRawDataField.Get(s), fields: optFields.Get(s)}
	names, syslogHeader := headerDisabled, "syslog"
	if c.ecs {
		names, syslogHeader = headerECS, "[log][syslog][header]"
	}
	for i, n := range names {
		c.header[i] = event.MustFieldRef(n)
	}
	c.syslogHeader = event.MustFieldRef(syslogHeader)
	c.maps = newMappings(cefFields(optDevice.Get(s)), c.ecs, optReverseMapping.Get(s))
	var err error
	if c.timestamps, err = newTimestampParser(optDefaultTZ.Get(s)); err != nil {
		return nil, optDefaultTZ.Errorf(s, "%v", err)
	}
	if optLocale.IsSet(s) && !englishLocale(optLocale.Get(s)) {
		// Numeric timestamps still work, so the codec starts.
		c.log.Warn(fmt.Sprintf("gostash reads English month names only; timestamps with month names of locale %q will fail to parse", optLocale.Get(s)))
	}
	if optDelimiter.IsSet(s) {
		c.delimiter = strings.ReplaceAll(strings.ReplaceAll(optDelimiter.Get(s), `\r`, "\r"), `\n`, "\n")
		if c.delimiter == "" {
			return nil, optDelimiter.Errorf(s, "the delimiter must not be empty")
		}
		c.tokenizer = textcodec.NewTokenizer(c.delimiter, textcodec.DefaultLineLimit, "the cef codec's message limit", c.log)
	}
	for _, t := range []struct {
		dst **event.Template
		opt plugin.Opt[string]
	}{{&c.vendor, optVendor}, {&c.product, optProduct}, {&c.version, optVersion}, {&c.signature, optSignature}, {&c.name, optName}, {&c.severity, optSeverity}} {
		if *t.dst, err = event.CompileTemplate(t.opt.Get(s)); err != nil {
			return nil, t.opt.Errorf(s, "%v", err)
		}
	}
	for _, f := range c.fields {
		if ref, err := event.ParseFieldRef(f); err == nil {
			c.fieldRefs = append(c.fieldRefs, &ref)
		} else {
			c.fieldRefs = append(c.fieldRefs, nil)
		}
	}
	return c, nil
}

// englishLocale reports whether a locale (en_US or a language tag) names
// English, whose month names are the ones read.
func englishLocale(l string) bool {
	return l == "en" || strings.HasPrefix(l, "en_") || strings.HasPrefix(l, "en-") || strings.EqualFold(l, "root")
}

// Decode handles each delimited message, or the whole chunk without a
// delimiter.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	if c.tokenizer == nil {
		c.handle(string(data), emit)
		return
	}
	c.tokenizer.Extract(data, func(piece []byte) { c.handle(string(piece), emit) })
}

// DecodeStream is Decode that, with a delimiter, stops at a message longer
// than textcodec.DefaultLineLimit with a *textcodec.TooLongError.
func (c *Codec) DecodeStream(data []byte, emit func(*event.Event)) error {
	if c.tokenizer == nil {
		c.handle(string(data), emit)
		return nil
	}
	return c.tokenizer.ExtractStream(data, func(piece []byte) { c.handle(string(piece), emit) })
}

// Flush decodes what is left after the last delimiter.
func (c *Codec) Flush(emit func(*event.Event)) {
	if c.tokenizer == nil {
		return
	}
	if rest := c.tokenizer.Flush(); len(rest) > 0 {
		c.handle(string(rest), emit)
	}
}

func (c *Codec) handle(original string, emit func(*event.Event)) {
	data := original
	e, err := c.decode(&data, original)
	if err == nil {
		emit(e)
		return
	}
	c.log.Error("Failed to decode CEF payload. Generating failure event with payload in message field.",
		slog.String("exception", err.Error()), slog.String("original_data", original))
	m := event.NewMap(2)
	m.Set("message", data)
	m.Set(event.TagsField, []any{ParseFailureTag})
	emit(event.NewEventFromMap(m))
}

// decode parses one message. *data is the payload as the failure event
// shows it (without surrounding quotes once they are stripped).
func (c *Codec) decode(data *string, original string) (*event.Event, error) {
	e := event.NewEvent()
	if c.rawDataField != "" {
		if err := e.Set(c.rawDataField, original); err != nil {
			return nil, err
		}
	}
	if !utf8.ValidString(*data) {
		return nil, errors.New("invalid byte sequence in UTF-8")
	}
	// Some connectors quote the whole message.
	if strings.HasPrefix(*data, `"`) {
		if len(*data) >= 2 {
			*data = (*data)[1 : len(*data)-1]
		} else {
			*data = ""
		}
	}
	rest := chomp(*data)
	if strings.Contains(rest, "\n") {
		return nil, errors.New("message is not valid CEF because it contains unescaped newline characters; use the `delimiter` setting to enable in-codec buffering and delimiter-splitting")
	}
	var header [7]string
	for i := range header {
		value, after, ok := headerField(rest)
		if !ok {
			return nil, fmt.Errorf("message is not valid CEF; found %d of 7 required pipe-terminated header fields", i)
		}
		header[i] = value
		if err := e.SetRef(c.header[i], value); err != nil {
			return nil, err
		}
		rest = after
	}
	version := header[0]
	if i := strings.LastIndexByte(version, ' '); i >= 0 {
		if err := e.SetRef(c.syslogHeader, version[:i]); err != nil {
			return nil, err
		}
		version = version[i+1:]
	}
	if err := e.SetRef(c.header[0], strings.TrimPrefix(version, "CEF:")); err != nil {
		return nil, err
	}
	if rest == "" {
		return e, nil
	}
	ext, err := c.extensions(ruby.Strip(rest))
	if err != nil {
		return nil, err
	}
	if c.ecs {
		zone, _ := ext.Get("[event][timezone]")
		deviceZone, _ := zone.(string)
		for _, f := range c.maps.timestamps {
			raw, ok := ext.Delete(f)
			if !ok {
				continue
			}
			var v any
			if text := raw.(string); strings.TrimSpace(text) != "" {
				ts, err := c.timestamps.parse(text, deviceZone)
				if err != nil {
					c.log.Error(fmt.Sprintf("Failed to parse CEF timestamp value `%s` (%s)", text, err))
					return nil, fmt.Errorf("Not a valid CEF timestamp: `%s`", text)
				}
				v = ts
			}
			if err := e.Set(f, v); err != nil {
				return nil, err
			}
		}
	}
	var setErr error
	ext.Range(func(k string, v any) bool {
		setErr = e.Set(k, v)
		return setErr == nil
	})
	if setErr != nil {
		return nil, setErr
	}
	return e, nil
}

// chomp is Ruby's String#chomp: one trailing \r\n, \n or \r.
func chomp(s string) string {
	switch {
	case strings.HasSuffix(s, "\r\n"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "\n"), strings.HasSuffix(s, "\r"):
		return s[:len(s)-1]
	}
	return s
}

// headerPattern is one pipe-terminated header field: `\|` and `\\` are
// escapes, a lone backslash is an ordinary character, and the shortest
// field wins. Go's leftmost-first matching takes the same path as Ruby's
// backtracking here: when no unescaped pipe is left, an escaped one ends
// the field after all (its backslash then ends the value).
var headerPattern = regexp.MustCompile(`^((?:\\\||\\\\|[^|])*?)\|`)

func headerField(s string) (value, rest string, ok bool) {
	m := headerPattern.FindStringSubmatchIndex(s)
	if m == nil {
		return "", "", false
	}
	return unescapeHeader(s[m[2]:m[3]]), s[m[1]:], true
}

// unescapeHeader turns `\|` and `\\` into the character after the
// backslash, left to right.
func unescapeHeader(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '|' || v[i+1] == '\\') {
			b.WriteByte(v[i+1])
			i++
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
